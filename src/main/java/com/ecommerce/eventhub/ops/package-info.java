/**
 * Operating the hub: outbox retention and housekeeping, metrics and health indicators,
 * and the dead-letter inspection and replay operations.
 */
package com.ecommerce.eventhub.ops;
