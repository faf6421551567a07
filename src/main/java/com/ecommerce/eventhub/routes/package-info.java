/**
 * Operator-editable Camel YAML routes: loading the routes folder at start-up, applying
 * added, changed and deleted files while the hub runs (validated first, the old version
 * kept on failure), and the {@code /api/v1/routes} listing and start/stop operations.
 */
package com.ecommerce.eventhub.routes;
