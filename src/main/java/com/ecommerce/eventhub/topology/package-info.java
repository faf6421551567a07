/**
 * The RabbitMQ topology the hub declares at start-up (exchange, domain queues and
 * bindings, dead-letter queue) and the dead-letter header names; shared infrastructure
 * that every capability may use.
 */
package com.ecommerce.eventhub.topology;
