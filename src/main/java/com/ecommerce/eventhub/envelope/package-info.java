/**
 * The event envelope of the spec in plain Java, without Camel or Spring: the
 * {@code Envelope} record, its JSON mapping, JSON Schema validation per event type and
 * major version, and the enrichment of fields a producer may omit.
 */
package com.ecommerce.eventhub.envelope;
