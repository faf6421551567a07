package com.ecommerce.eventhub.ops;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which dead letters an operation takes: every criterion that is set must match, and a
 * filter with none matches only when it says {@code all}. Shared by the HTTP operations
 * and the console, so "everything matching the filter" means the same in both.
 *
 * @param eventIds these events only (a selection); empty for any
 * @param eventType this event type, or null for any
 * @param failedRoute dead-lettered by this route, or null
 * @param exceptionClass failed with this exception: its full name or its simple name; or
 * null
 * @param from failed at or after this instant ({@code x-failed-at}), or null
 * @param to failed before this instant, or null
 * @param all whether an empty filter means every dead letter
 */
public record DeadLetterFilter(Set<String> eventIds, String eventType, String failedRoute, String exceptionClass,
		Instant from, Instant to, boolean all) {

	public DeadLetterFilter {
		eventIds = (eventIds != null) ? Set.copyOf(eventIds) : Set.of();
	}

	/** Every dead letter. */
	public static final DeadLetterFilter ALL = new DeadLetterFilter(Set.of(), null, null, null, null, null, true);

	/**
	 * @return whether the filter names no criterion and does not say {@code all}: an
	 * operation refuses it rather than guess
	 */
	public boolean isUnspecified() {
		return !this.all && this.eventIds.isEmpty() && this.eventType == null && this.failedRoute == null
				&& this.exceptionClass == null && this.from == null && this.to == null;
	}

	/**
	 * @param view a dead letter
	 * @return whether the filter takes it
	 */
	public boolean matches(DeadLetterView view) {
		if (isUnspecified()) {
			return false;
		}
		return (this.eventIds.isEmpty() || this.eventIds.contains(view.eventId()))
				&& (this.eventType == null || this.eventType.equals(view.eventType()))
				&& (this.failedRoute == null || this.failedRoute.equals(view.failedRoute()))
				&& (this.exceptionClass == null || exceptionMatches(view.exceptionClass()))
				&& inWindow(view.failedAt());
	}

	private boolean exceptionMatches(String failure) {
		return failure != null && (failure.equals(this.exceptionClass) || failure.endsWith("." + this.exceptionClass)
				|| failure.endsWith("$" + this.exceptionClass));
	}

	private boolean inWindow(String failedAt) {
		if (this.from == null && this.to == null) {
			return true;
		}
		Instant at = instant(failedAt);
		return at != null && (this.from == null || !at.isBefore(this.from))
				&& (this.to == null || at.isBefore(this.to));
	}

	private static Instant instant(String text) {
		if (text == null) {
			return null;
		}
		try {
			return OffsetDateTime.parse(text).toInstant();
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	/**
	 * The filter as the audit trail records it: only the criteria that are set.
	 * @return criterion name to value
	 */
	public Map<String, Object> describe() {
		Map<String, Object> described = new LinkedHashMap<>();
		if (this.all) {
			described.put("all", true);
		}
		if (!this.eventIds.isEmpty()) {
			described.put("eventIds", this.eventIds.stream().sorted().toList());
		}
		putIfSet(described, "eventType", this.eventType);
		putIfSet(described, "failedRoute", this.failedRoute);
		putIfSet(described, "exceptionClass", this.exceptionClass);
		putIfSet(described, "from", this.from);
		putIfSet(described, "to", this.to);
		return described;
	}

	private static void putIfSet(Map<String, Object> map, String name, Object value) {
		if (value != null) {
			map.put(name, value.toString());
		}
	}

}
