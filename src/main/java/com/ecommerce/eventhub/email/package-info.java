/**
 * E-mail notifications: order events become {@code email.notification-requested} events
 * (notification route), which the e-mail route renders and sends over SMTP, answering
 * with {@code email.sent} or {@code email.failed} and retrying through the outbox.
 */
package com.ecommerce.eventhub.email;
