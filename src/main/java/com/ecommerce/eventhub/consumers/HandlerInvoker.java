package com.ecommerce.eventhub.consumers;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.EnvelopeValidationException;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.envelope.EventVersion;
import com.ecommerce.eventhub.envelope.UnsupportedVersionError;
import com.ecommerce.eventhub.envelope.Violation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One attempt of a hub consumer: validate the envelope, check the handler supports its version,
 * then, on a worker thread bounded by the route's attempt timeout, record the eventId and run the
 * handler in one database transaction. A duplicate eventId commits nothing and skips the handler.
 *
 * <p>
 * The consumer route's dead letter channel is the only retry layer: every exception thrown here is
 * one failed attempt.
 */
@Component
class HandlerInvoker implements Processor {

	/** Exchange property: bean name of the route's {@link EventHandler}. */
	static final String HANDLER = "hubHandler";

	/** Exchange property: the endpoint a YAML route's events go to, when it has no handler bean. */
	static final String TARGET = "hubTarget";

	/** Exchange property: the major versions a target handles, comma-separated. */
	static final String MAJORS = "hubMajors";

	/** Exchange property: the route's per-attempt timeout, in milliseconds or as {@code 2s}. */
	static final String ATTEMPT_TIMEOUT = "hubAttemptTimeout";

	private static final Logger log = LoggerFactory.getLogger(HandlerInvoker.class);

	private final ObjectMapper mapper = EnvelopeJson.mapper();

	private final EventSchemas schemas;

	private final IdempotencyRepository idempotency;

	private final TransactionTemplate transactions;

	private final CamelContext camel;

	private final ConsumerMetrics metrics;

	private final ExecutorService attempts;

	private final ProducerTemplate producer;

	private final Map<String, EndpointHandler> endpointHandlers = new ConcurrentHashMap<>();

	HandlerInvoker(EventSchemas schemas, IdempotencyRepository idempotency, PlatformTransactionManager transactionManager,
			CamelContext camel, ConsumerMetrics metrics) {
		this.schemas = schemas;
		this.idempotency = idempotency;
		this.transactions = new TransactionTemplate(transactionManager);
		this.camel = camel;
		this.metrics = metrics;
		this.attempts = camel.getExecutorServiceManager().newCachedThreadPool(this, "hub-consumer-attempt");
		this.producer = camel.createProducerTemplate();
	}

	@Override
	public void process(Exchange exchange) throws Exception {
		String routeId = exchange.getFromRouteId();
		AttemptPolicy.startAttempt(exchange);
		JsonNode tree = read(exchange.getMessage().getMandatoryBody(byte[].class));
		EventHandler handler = handler(exchange);
		String eventType = tree.path("eventType").asText(null);
		String eventVersion = tree.path("eventVersion").asText(null);
		Set<Integer> majors = (eventType != null) ? handler.supportedVersions().get(eventType) : null;
		if (majors != null && EventVersion.isValid(eventVersion)
				&& !majors.contains(EventVersion.parse(eventVersion).major())) {
			throw new UnsupportedVersionError(eventType, eventVersion, majors);
		}
		List<Violation> violations = this.schemas.validate(tree);
		if (!violations.isEmpty()) {
			throw EnvelopeValidationException.of(violations);
		}
		if (majors == null) {
			log.debug("Route {} skips {}: its handler does not take this event type", routeId, eventType);
			return;
		}
		Envelope envelope = this.mapper.treeToValue(tree, Envelope.class);
		Duration timeout = DurationStyle.detectAndParse(exchange.getProperty(ATTEMPT_TIMEOUT, "30000", String.class));
		boolean handled = runAttempt(routeId, handler, envelope, timeout);
		if (handled) {
			this.metrics.handled(routeId);
			log.debug("Route {} handled event {}", routeId, envelope.eventId());
		}
		else {
			this.metrics.duplicate(routeId);
			log.debug("Route {} skips duplicate event {}", routeId, envelope.eventId());
		}
	}

	private JsonNode read(byte[] body) {
		try {
			return this.mapper.readTree(body);
		}
		catch (IOException ex) {
			throw new EnvelopeValidationException("unreadable envelope: " + ex.getMessage());
		}
	}

	private EventHandler handler(Exchange exchange) {
		String name = exchange.getProperty(HANDLER, String.class);
		if (name != null && !name.isBlank()) {
			EventHandler handler = this.camel.getRegistry().lookupByNameAndType(name, EventHandler.class);
			if (handler == null) {
				throw new IllegalStateException("No EventHandler bean named '" + name + "'");
			}
			return handler;
		}
		String target = exchange.getProperty(TARGET, String.class);
		if (target == null || target.isBlank()) {
			throw new IllegalStateException("Route " + exchange.getFromRouteId() + " has neither handler nor target");
		}
		String majors = exchange.getProperty(MAJORS, "1", String.class);
		return this.endpointHandlers.computeIfAbsent(target + "|" + majors, key -> new EndpointHandler(this.producer,
				target, Arrays.stream(majors.split(",")).map(String::trim).map(Integer::valueOf).collect(Collectors.toSet())));
	}

	private boolean runAttempt(String routeId, EventHandler handler, Envelope envelope, Duration timeout)
			throws Exception {
		Map<String, String> mdc = MDC.getCopyOfContextMap();
		Future<Boolean> attempt = this.attempts.submit(() -> withMdc(mdc, () -> this.transactions.execute(status -> {
			if (!this.idempotency.recordFirstTime(routeId, envelope.eventId())) {
				return false;
			}
			try {
				handler.handle(envelope);
			}
			catch (RuntimeException ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new HandlerException(ex); // rolls the transaction back, unwrapped below
			}
			return true;
		})));
		try {
			return attempt.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			// Interrupts the handler. Should it still commit, the next attempt sees the recorded eventId.
			attempt.cancel(true);
			throw new AttemptTimeoutException(timeout);
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof HandlerException wrapped) {
				throw wrapped.checked();
			}
			if (cause instanceof Exception failure) {
				throw failure;
			}
			throw ex;
		}
	}

	/** Runs on the attempt thread with the consumer thread's MDC (the event's identity). */
	private static <T> T withMdc(Map<String, String> mdc, java.util.function.Supplier<T> work) {
		if (mdc != null) {
			MDC.setContextMap(mdc);
		}
		try {
			return work.get();
		}
		finally {
			MDC.clear();
		}
	}

	/** Carries a handler's checked exception through the transaction callback. */
	private static final class HandlerException extends RuntimeException {

		private HandlerException(Exception cause) {
			super(cause);
		}

		private Exception checked() {
			return (Exception) getCause();
		}

	}

}
