/**
 * Scoped replay of published events ({@code POST /api/v1/replays} and the console's
 * form): events still in the outbox, selected by time window, types, aggregate or
 * correlation, re-published as the relay published them to one consumer route's queue
 * only (its partition queues for an ordered route), rate-limited and bounded, optionally
 * past the route's idempotency.
 */
package com.ecommerce.eventhub.replay;
