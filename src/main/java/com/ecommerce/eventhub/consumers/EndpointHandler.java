package com.ecommerce.eventhub.consumers;

import java.util.Map;
import java.util.Set;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.PermanentFailureException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The handler of a YAML consumer route: sends the envelope (JSON body, no headers) to the route's
 * {@code target} endpoint, typically a {@code direct:} route of the same file that forwards it. The
 * event's id and type travel as exchange properties {@code hubEventId} and {@code hubEventType}.
 * An HTTP 4xx answer is permanent (dead-lettered at once); a 5xx, a timeout or any other failure is
 * retried per the route's policy.
 */
final class EndpointHandler implements EventHandler {

	static final String EVENT_ID = "hubEventId";

	static final String EVENT_TYPE = "hubEventType";

	private final ProducerTemplate producer;

	private final String target;

	private final Set<Integer> majors;

	EndpointHandler(ProducerTemplate producer, String target, Set<Integer> majors) {
		this.producer = producer;
		this.target = target;
		this.majors = Set.copyOf(majors);
	}

	/** Every event type its queue receives, in the declared major versions. */
	@Override
	public Map<String, Set<Integer>> supportedVersions() {
		return new AnyTypeMap(this.majors);
	}

	@Override
	public void handle(Envelope envelope) throws Exception {
		String body = EnvelopeJson.mapper().writeValueAsString(envelope);
		Exchange result = this.producer.send(this.target, exchange -> {
			exchange.setProperty(EVENT_ID, envelope.eventId().toString());
			exchange.setProperty(EVENT_TYPE, envelope.eventType());
			exchange.getMessage().setBody(body);
		});
		Exception failure = result.getException();
		if (failure == null) {
			return;
		}
		HttpOperationFailedException http = result.getException(HttpOperationFailedException.class);
		if (http != null && http.getStatusCode() >= 400 && http.getStatusCode() < 500) {
			throw new PermanentFailureException("target answered HTTP " + http.getStatusCode(), failure);
		}
		throw failure;
	}

	/** A read-only map that answers the same majors for every event type. */
	private static final class AnyTypeMap extends java.util.AbstractMap<String, Set<Integer>> {

		private final Set<Integer> majors;

		private AnyTypeMap(Set<Integer> majors) {
			this.majors = majors;
		}

		@Override
		public Set<Integer> get(Object key) {
			return (key instanceof String) ? this.majors : null;
		}

		@Override
		public boolean containsKey(Object key) {
			return key instanceof String;
		}

		@Override
		public Set<Entry<String, Set<Integer>>> entrySet() {
			return Set.of();
		}

	}

}
