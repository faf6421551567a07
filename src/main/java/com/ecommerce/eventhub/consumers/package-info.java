/**
 * The consumer foundation every hub consumer (Java or YAML) is built on: the
 * {@code hub-consumer} route template with manual acknowledgements and a dead letter
 * channel as its one retry layer, the message guard (size, schema, versions), handling at
 * most once per event (idempotency keys and the side-effect ledger), each route's own
 * bounded attempt threads, and each route's circuit breaker on its peer.
 */
package com.ecommerce.eventhub.consumers;
