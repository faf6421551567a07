package com.ecommerce.eventhub.ingestion;

import com.ecommerce.eventhub.config.IngestionProperties;
import com.ecommerce.eventhub.config.SecurityProperties.ApiKey;

import org.springframework.stereotype.Component;

/**
 * Which event types an API key may post and read. The hub's own types ({@code email.*} by
 * default, {@code hub.ingestion.internal-types}) trigger its side effects, e.g. an
 * {@code email.notification-requested} mails any address: a key reaches them only when
 * its {@code event-types} name the exact type, never through {@code *} or a prefix.
 */
@Component
class EventTypeScope {

	private final IngestionProperties ingestion;

	EventTypeScope(IngestionProperties ingestion) {
		this.ingestion = ingestion;
	}

	/**
	 * @param caller the authenticated caller
	 * @param eventType an event type
	 * @return whether the caller may post events of this type and read their status
	 */
	boolean allows(ApiKey caller, String eventType) {
		return this.ingestion.isInternal(eventType) ? caller.namesExactly(eventType) : caller.allows(eventType);
	}

}
