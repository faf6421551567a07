package com.ecommerce.eventhub.topology;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * The failure headers every dead letter carries (DESIGN "Topology"). The names reuse
 * Spring AMQP's republishing recoverer's where they exist so existing tools read them.
 */
public final class DeadLetterHeaders {

	public static final String ORIGINAL_EXCHANGE = "x-original-exchange";

	public static final String ORIGINAL_ROUTING_KEY = "x-original-routing-key";

	public static final String FAILED_ROUTE = "x-failed-route";

	public static final String EXCEPTION_CLASS = "x-exception-class";

	public static final String EXCEPTION_MESSAGE = "x-exception-message";

	public static final String ATTEMPTS = "x-attempts";

	public static final String FAILED_AT = "x-failed-at";

	/** Longest exception message kept; a reason listing every violation can be long. */
	static final int MAX_MESSAGE_LENGTH = 4000;

	private DeadLetterHeaders() {
	}

	/**
	 * The failure headers of one dead letter, in a mutable map the caller may add to.
	 * @param originalExchange where the message was (or would have been) published
	 * @param originalRoutingKey its routing key
	 * @param failedRoute the id of the route that gave up
	 * @param exceptionClass the failure's class name
	 * @param exceptionMessage the failure's message, truncated
	 * @param attempts how many attempts were made
	 * @param failedAt when the route gave up
	 * @return the headers
	 */
	public static Map<String, Object> of(String originalExchange, String originalRoutingKey, String failedRoute,
			String exceptionClass, String exceptionMessage, int attempts, Instant failedAt) {
		Map<String, Object> headers = new HashMap<>();
		headers.put(ORIGINAL_EXCHANGE, originalExchange);
		headers.put(ORIGINAL_ROUTING_KEY, originalRoutingKey);
		headers.put(FAILED_ROUTE, failedRoute);
		headers.put(EXCEPTION_CLASS, exceptionClass);
		headers.put(EXCEPTION_MESSAGE, truncate(exceptionMessage));
		headers.put(ATTEMPTS, attempts);
		headers.put(FAILED_AT, DateTimeFormatter.ISO_INSTANT.format(failedAt));
		return headers;
	}

	private static String truncate(String message) {
		if (message == null) {
			return "";
		}
		return (message.length() <= MAX_MESSAGE_LENGTH) ? message : message.substring(0, MAX_MESSAGE_LENGTH) + "...";
	}

}
