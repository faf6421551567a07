/**
 * Event Hub: carries domain events from the PostgreSQL outbox to RabbitMQ and runs the
 * consumers that turn them into side effects. Each subpackage is one capability that
 * depends only on {@code envelope}, {@code config} and {@code topology}; start reading at
 * the capability you work on.
 */
package com.ecommerce.eventhub;
