/// Placeholder.
package enum SchemaFiles {}
