package com.ecommerce.eventhub.consumers;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.slf4j.MDC;

/**
 * The MDC of the threads that work for a consumed message: Camel's {@code camel.*} keys
 * and the message's identity ({@code eventId}, {@code eventType}, {@code correlationId},
 * from its AMQP properties), kept with its exchange.
 *
 * <p>
 * Camel's MDC unit of work sets its keys on the thread that runs a step, and on handing
 * an exchange to another thread it restores only the keys the receiving thread lacks: a
 * key an earlier exchange left on a thread won, and a redelivery reaches the handler on
 * Camel's error handler thread with whatever that thread last had. So the MDC an exchange
 * has at its route's first step ({@link ManualAcknowledgement}, on the listener thread,
 * where Camel has just set its keys) is kept with the exchange; every hand-over to an
 * attempt thread and every thread that completes the exchange uses that, and the thread
 * that hands it over removes it.
 */
final class EventLogContext {

	/** The exchange property holding the kept MDC. */
	static final String PROPERTY = "hubLogContext";

	/**
	 * Longest MDC value; these come from AMQP properties anyone with broker access can
	 * set.
	 */
	private static final int MAX_LENGTH = 100;

	private EventLogContext() {
	}

	/**
	 * Puts the consumed message's identity in this thread's MDC (a key the message has no
	 * value for is removed) and keeps the MDC, Camel's keys included, with the exchange.
	 * @param exchange the exchange at its route's first step, on the listener thread
	 */
	static void enter(Exchange exchange) {
		put("eventId", exchange.getMessage().getHeader(SpringRabbitMQConstants.MESSAGE_ID, String.class));
		put("eventType", exchange.getMessage().getHeader(SpringRabbitMQConstants.TYPE, String.class));
		put("correlationId", exchange.getMessage().getHeader(SpringRabbitMQConstants.CORRELATION_ID, String.class));
		Map<String, String> now = MDC.getCopyOfContextMap();
		exchange.setProperty(PROPERTY, (now != null) ? now : Map.of());
	}

	private static void put(String key, String value) {
		if (value != null) {
			MDC.put(key, loggable(value));
		}
		else {
			MDC.remove(key);
		}
	}

	/**
	 * The MDC for the threads the exchange goes on on: the one {@link #enter} kept.
	 * @param exchange a consumed message's exchange, about to be handed over
	 * @return the MDC to set on them (empty when there is none)
	 */
	@SuppressWarnings("unchecked")
	static Map<String, String> of(Exchange exchange) {
		Map<String, String> kept = exchange.getProperty(PROPERTY, Map.class);
		return (kept != null) ? kept : Map.of();
	}

	/**
	 * Removes an exchange's MDC from this thread, which goes on without the exchange.
	 * @param context what {@link #of} gave
	 */
	static void leave(Map<String, String> context) {
		for (String key : context.keySet()) {
			MDC.remove(key);
		}
	}

	/**
	 * The value without control characters (no forged log lines) and at most 100
	 * characters long.
	 */
	static String loggable(String value) {
		String bounded = (value.length() <= MAX_LENGTH) ? value : value.substring(0, MAX_LENGTH);
		StringBuilder clean = new StringBuilder(bounded.length());
		bounded.codePoints().forEach(c -> clean.appendCodePoint(Character.isISOControl(c) ? '?' : c));
		return clean.toString();
	}

}
