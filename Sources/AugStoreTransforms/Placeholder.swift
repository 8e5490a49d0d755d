enum TransformsPlaceholder {}
