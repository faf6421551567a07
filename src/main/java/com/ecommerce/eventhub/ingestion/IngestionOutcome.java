package com.ecommerce.eventhub.ingestion;

import java.util.List;
import java.util.Set;

import com.ecommerce.eventhub.outbox.OutboxStore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What became of a {@code POST /api/v1/events}; {@link IngestionRoutes} alone turns it
 * into HTTP.
 */
sealed interface IngestionOutcome {

	/**
	 * Stored (some events new, or all of them stored before with the same content).
	 *
	 * @param events each event's id and outbox status, in request order
	 * @param single whether the request carried one envelope, not an array
	 */
	record Accepted(List<OutboxStore.Stored> events, boolean single) implements IngestionOutcome {

		/** Whether every event had been stored before: nothing new. */
		boolean duplicate() {
			return this.events.stream().noneMatch(OutboxStore.Stored::created);
		}

	}

	/**
	 * The request is not one envelope or a bounded array of them, or an envelope is
	 * invalid.
	 *
	 * @param detail what is wrong
	 * @param violations every invalid field with its pointer (and index in a batch),
	 * possibly none
	 */
	record Invalid(String detail, List<Violation> violations) implements IngestionOutcome {
	}

	/**
	 * One or more events are over {@code hub.envelope.max-size}.
	 *
	 * @param violations the oversize events, each with its pointer and index
	 */
	record TooLarge(List<Violation> violations) implements IngestionOutcome {
	}

	/**
	 * The key may not post some of the event types.
	 *
	 * @param eventTypes those types (long ones are not echoed)
	 */
	record Forbidden(Set<String> eventTypes) implements IngestionOutcome {
	}

	/**
	 * An eventId exists with other content; nothing was stored.
	 *
	 * @param eventIds those eventIds
	 */
	record Conflict(List<String> eventIds) implements IngestionOutcome {
	}

	/**
	 * One reason a request is refused.
	 *
	 * @param pointer JSON pointer of the field in the request body
	 * @param message what is wrong with it
	 * @param index the envelope's index in a batch, null for a single envelope
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Violation(String pointer, String message, Integer index) {
	}

}
