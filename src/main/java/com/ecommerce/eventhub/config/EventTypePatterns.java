package com.ecommerce.eventhub.config;

/**
 * The event-type patterns of the settings: {@code *} (all), {@code order.*} (a prefix) or
 * an exact type.
 */
public final class EventTypePatterns {

	private EventTypePatterns() {
	}

	/**
	 * @param pattern {@code *}, a prefix pattern such as {@code order.*}, or an exact
	 * type
	 * @param eventType the event type
	 * @return whether the pattern covers the type
	 */
	public static boolean matches(String pattern, String eventType) {
		return pattern.equals("*") || pattern.equals(eventType)
				|| (pattern.endsWith(".*") && eventType.startsWith(pattern.substring(0, pattern.length() - 1)));
	}

}
