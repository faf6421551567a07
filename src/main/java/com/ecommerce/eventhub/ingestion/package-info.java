/**
 * REST ingestion: external systems post events ({@code POST /api/v1/events}) that the hub
 * validates and stores in the outbox, and read their status ({@code GET
 * /api/v1/events/{eventId}}).
 */
package com.ecommerce.eventhub.ingestion;
