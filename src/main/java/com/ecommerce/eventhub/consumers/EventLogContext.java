package com.ecommerce.eventhub.consumers;

import org.apache.camel.Exchange;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.slf4j.MDC;

/**
 * A consumed message's identity in the MDC of the threads that work for it
 * ({@code eventId}, {@code eventType}, {@code correlationId}, from its AMQP properties),
 * read once per message and kept with its exchange.
 *
 * <p>
 * Camel's MDC unit of work sets and clears only its own {@code camel.*} keys. When an
 * exchange goes on on another thread (an attempt thread, the timeout thread, a
 * redelivery), Camel's restore copies the keys the thread handing over had and adds only
 * those the receiving thread lacks: a key an earlier exchange left on a thread won. So
 * each thread here puts the whole identity (a key the message has no value for is
 * removed) before working for an exchange, and a thread that hands an exchange over
 * removes it ({@link HandlerInvoker}).
 *
 * @param eventId the message id, or null
 * @param eventType the type, or null
 * @param correlationId the correlation id, or null
 */
record EventLogContext(String eventId, String eventType, String correlationId) {

	/** The exchange property holding it. */
	static final String PROPERTY = "hubEventLogContext";

	/**
	 * Longest MDC value; these come from AMQP properties anyone with broker access can
	 * set.
	 */
	private static final int MAX_LENGTH = 100;

	/**
	 * The identity of the message an exchange consumed, read from its properties the
	 * first time and kept with the exchange.
	 */
	static EventLogContext of(Exchange exchange) {
		EventLogContext context = exchange.getProperty(PROPERTY, EventLogContext.class);
		if (context == null) {
			context = new EventLogContext(
					loggableOrNull(exchange.getMessage().getHeader(SpringRabbitMQConstants.MESSAGE_ID, String.class)),
					loggableOrNull(exchange.getMessage().getHeader(SpringRabbitMQConstants.TYPE, String.class)),
					loggableOrNull(
							exchange.getMessage().getHeader(SpringRabbitMQConstants.CORRELATION_ID, String.class)));
			exchange.setProperty(PROPERTY, context);
		}
		return context;
	}

	/** Puts the identity in this thread's MDC, replacing any other message's. */
	void enter() {
		put("eventId", this.eventId);
		put("eventType", this.eventType);
		put("correlationId", this.correlationId);
	}

	/** Removes a message's identity from this thread's MDC. */
	static void leave() {
		MDC.remove("eventId");
		MDC.remove("eventType");
		MDC.remove("correlationId");
	}

	private static void put(String key, String value) {
		if (value != null) {
			MDC.put(key, value);
		}
		else {
			MDC.remove(key);
		}
	}

	private static String loggableOrNull(String value) {
		return (value != null) ? loggable(value) : null;
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
