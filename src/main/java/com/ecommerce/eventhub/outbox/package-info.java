/**
 * The outbox relay: claims PENDING rows of {@code eventhub.outbox_event}, publishes them
 * to the {@code ecommerce.events} exchange with publisher confirms, and marks them
 * PUBLISHED only after the broker confirmed them (or DEAD when their envelope is
 * invalid).
 */
package com.ecommerce.eventhub.outbox;
