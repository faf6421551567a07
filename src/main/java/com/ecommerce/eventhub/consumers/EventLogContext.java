package com.ecommerce.eventhub.consumers;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.apache.camel.component.springrabbit.SpringRabbitMQEndpoint;
import org.apache.camel.impl.engine.DefaultUnitOfWork;
import org.apache.camel.impl.engine.MDCUnitOfWork;
import org.apache.camel.spi.InflightRepository;
import org.apache.camel.spi.UnitOfWork;
import org.apache.camel.spi.UnitOfWorkFactory;
import org.slf4j.MDC;

import org.springframework.stereotype.Component;

/**
 * A consumed message's identity in the MDC ({@code eventId}, {@code eventType},
 * {@code correlationId}, from its AMQP properties), kept the way Camel keeps its own
 * {@code camel.*} keys: set from the exchange before each step of its route and removed
 * with Camel's keys when a step or the exchange is done.
 *
 * <p>
 * Camel's {@link MDCUnitOfWork} manages only its own keys. The hub's, put once by a
 * processor, stayed on a thread after its exchange, and Camel's restore after an
 * asynchronous step ({@code camel.main.mdc-logging-keys-pattern}) copies every key the
 * thread has when the step starts and only adds, never removes: a message without
 * {@code type} logged an earlier message's type and correlation id. And Camel clears its
 * MDC on the thread that completes a step, not on the one that handed it over: the
 * listener thread kept the keys (Camel's too) of the last exchange it handed to an
 * attempt thread, and the listener container's own lines carried them.
 * {@link HandlerInvoker} therefore calls {@link #leave} once it has handed an exchange
 * over.
 *
 * <p>
 * Camel main takes a {@link UnitOfWorkFactory} bean in place of its own; this one creates
 * the same units of work as Camel's. Exchanges not consumed from RabbitMQ (e.g. the one
 * an {@link EndpointHandler} sends to a YAML target) leave the keys as they find them, so
 * they log the event they work for.
 */
@Component
class EventLogContext implements UnitOfWorkFactory {

	/**
	 * Longest MDC value; these come from AMQP properties anyone with broker access can
	 * set.
	 */
	private static final int MAX_LENGTH = 100;

	private InflightRepository inflightRepository;

	private boolean mdcLogging;

	private String mdcLoggingKeysPattern;

	private boolean allowUseOriginalMessage;

	private boolean useBreadcrumb;

	@Override
	public void afterPropertiesConfigured(CamelContext camel) {
		this.inflightRepository = camel.getInflightRepository();
		this.mdcLogging = Boolean.TRUE.equals(camel.isUseMDCLogging());
		this.mdcLoggingKeysPattern = camel.getMDCLoggingKeysPattern();
		this.allowUseOriginalMessage = Boolean.TRUE.equals(camel.isAllowUseOriginalMessage());
		this.useBreadcrumb = Boolean.TRUE.equals(camel.isUseBreadcrumb());
	}

	@Override
	public UnitOfWork createUnitOfWork(Exchange exchange) {
		if (!this.mdcLogging) {
			return new DefaultUnitOfWork(exchange, this.inflightRepository, this.allowUseOriginalMessage,
					this.useBreadcrumb);
		}
		return new EventMdcUnitOfWork(exchange, this.inflightRepository, this.mdcLoggingKeysPattern,
				this.allowUseOriginalMessage, this.useBreadcrumb);
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

	/**
	 * Puts the identity of a consumed message in the MDC of this thread; removes a key
	 * the message has no value for.
	 */
	static void enter(Exchange exchange) {
		put("eventId", exchange.getMessage().getHeader(SpringRabbitMQConstants.MESSAGE_ID, String.class));
		put("eventType", exchange.getMessage().getHeader(SpringRabbitMQConstants.TYPE, String.class));
		put("correlationId", exchange.getMessage().getHeader(SpringRabbitMQConstants.CORRELATION_ID, String.class));
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
	 * Removes what an exchange put in the MDC of this thread, which goes on without it
	 * (the exchange continues on another thread).
	 * @param unitOfWork the exchange's unit of work, taken before handing it over (once
	 * done, the exchange has none)
	 */
	static void leave(UnitOfWork unitOfWork) {
		if (unitOfWork instanceof MDCUnitOfWork mdc) {
			mdc.clear();
		}
	}

	private static final class EventMdcUnitOfWork extends MDCUnitOfWork {

		private final boolean consumed;

		private final InflightRepository inflight;

		private final String pattern;

		private final boolean originalMessage;

		private final boolean breadcrumb;

		EventMdcUnitOfWork(Exchange exchange, InflightRepository inflight, String pattern, boolean originalMessage,
				boolean breadcrumb) {
			super(exchange, inflight, pattern, originalMessage, breadcrumb);
			this.consumed = consumed(exchange);
			this.inflight = inflight;
			this.pattern = pattern;
			this.originalMessage = originalMessage;
			this.breadcrumb = breadcrumb;
		}

		private static boolean consumed(Exchange exchange) {
			return exchange.getFromEndpoint() instanceof SpringRabbitMQEndpoint;
		}

		@Override
		protected void prepareMDC(Exchange exchange) {
			super.prepareMDC(exchange);
			// Also called by Camel's constructor, before this one has set its field.
			if (consumed(exchange)) {
				enter(exchange);
			}
		}

		@Override
		public void clear() {
			super.clear();
			if (this.consumed) {
				MDC.remove("eventId");
				MDC.remove("eventType");
				MDC.remove("correlationId");
			}
		}

		@Override
		public UnitOfWork newInstance(Exchange exchange) {
			return new EventMdcUnitOfWork(exchange, this.inflight, this.pattern, this.originalMessage, this.breadcrumb);
		}

	}

}
