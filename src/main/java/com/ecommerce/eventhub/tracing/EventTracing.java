package com.ecommerce.eventhub.tracing;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Spans of an event's path, and the W3C {@code traceparent} that carries a trace through
 * the outbox row and the AMQP message. With tracing off every span is a no-op and costs
 * nothing; a {@code traceparent} a producer wrote still travels from its row to the
 * message.
 */
@Component
public class EventTracing {

	/** The W3C trace context field, as column, AMQP header and HTTP header. */
	public static final String TRACEPARENT = "traceparent";

	/** Version 00 of W3C Trace Context: version-traceid-parentid-flags, lowercase hex. */
	private static final Pattern W3C_TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

	private final Tracer tracer;

	private final Propagator propagator;

	@Autowired
	public EventTracing(@Value("${management.tracing.enabled:false}") boolean enabled, ObjectProvider<Tracer> tracer,
			ObjectProvider<Propagator> propagator) {
		this(enabled ? tracer.getIfAvailable(() -> Tracer.NOOP) : Tracer.NOOP,
				enabled ? propagator.getIfAvailable(() -> Propagator.NOOP) : Propagator.NOOP);
	}

	private EventTracing(Tracer tracer, Propagator propagator) {
		this.tracer = tracer;
		this.propagator = propagator;
	}

	/**
	 * @return tracing that records nothing, for code used outside a Spring context
	 */
	public static EventTracing off() {
		return new EventTracing(Tracer.NOOP, Propagator.NOOP);
	}

	/**
	 * @return whether spans are recorded and exported
	 */
	public boolean enabled() {
		return this.tracer != Tracer.NOOP;
	}

	/**
	 * @param traceparent a value from a producer's row or a message header
	 * @return the value when it is a well-formed W3C {@code traceparent}, else null: what
	 * the hub carries on is bounded and well-formed
	 */
	public static String valid(Object traceparent) {
		return (traceparent instanceof String text && text.length() == 55 && W3C_TRACEPARENT.matcher(text).matches()
				&& !text.regionMatches(3, "00000000000000000000000000000000", 0, 32)) ? text : null;
	}

	/**
	 * @return the {@code traceparent} of the span in scope on this thread, null when none
	 */
	public String currentTraceparent() {
		Span span = this.tracer.currentSpan();
		return (span != null) ? traceparentOf(span) : null;
	}

	/**
	 * @param span a started span
	 * @return its {@code traceparent}, null for a no-op span
	 */
	public String traceparentOf(Span span) {
		if (span.isNoop()) {
			return null;
		}
		Map<String, String> carrier = new HashMap<>(4);
		this.propagator.inject(span.context(), carrier, Map::put);
		return carrier.get(TRACEPARENT);
	}

	/**
	 * Starts a span of an event's path.
	 * @param name e.g. {@code publish order.placed}
	 * @param kind producer, consumer or client
	 * @param parent the {@code traceparent} it continues, or null for the span in scope
	 * (a new trace when there is none)
	 * @param event the event it works on
	 * @return the started span; end it
	 */
	public Span start(String name, Span.Kind kind, String parent, EventIdentity event) {
		if (!enabled()) {
			return Span.NOOP;
		}
		Span.Builder builder = (valid(parent) != null)
				? this.propagator.extract(Map.of(TRACEPARENT, parent), (carrier, key) -> carrier.get(key))
				: this.tracer.spanBuilder();
		if (valid(parent) == null && this.tracer.currentSpan() != null) {
			builder.setParent(this.tracer.currentSpan().context());
		}
		builder.name(name).kind(kind);
		if (event != null) {
			tag(builder, "eventId", event.eventId());
			tag(builder, "eventType", event.eventType());
			tag(builder, "correlationId", event.correlationId());
		}
		return builder.start();
	}

	private static void tag(Span.Builder builder, String key, String value) {
		if (value != null) {
			builder.tag(key, value);
		}
	}

	/**
	 * Puts a span in scope on this thread: the spans started and the events written under
	 * it belong to it.
	 * @param span the span
	 * @return the scope, to close
	 */
	public Tracer.SpanInScope inScope(Span span) {
		return this.tracer.withSpan(span);
	}

	/**
	 * What a span says about its event.
	 *
	 * @param eventId the event's id
	 * @param eventType its type
	 * @param correlationId its correlation id, may be null
	 */
	public record EventIdentity(String eventId, String eventType, String correlationId) {
	}

}
