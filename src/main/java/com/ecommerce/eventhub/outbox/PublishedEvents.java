package com.ecommerce.eventhub.outbox;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.ecommerce.eventhub.config.EnvelopeProperties;
import com.ecommerce.eventhub.topology.AggregatePartitions;
import com.ecommerce.eventhub.topology.ConfirmingPublisher.Outgoing;
import io.micrometer.tracing.Span;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Published events as a scoped replay re-publishes them: selected by a
 * {@link ReplayScope}, in outbox id order, page by page, each assembled exactly as the
 * relay assembles it ({@link OutboundAssembler}: the same envelope, AMQP properties and
 * headers, {@code x-published-at} the time of the replay). Read-only: a replay changes no
 * row.
 */
@Repository
public class PublishedEvents {

	/** How long one selection may take before it is cancelled. */
	static final int TIMEOUT_SECONDS = 30;

	private static final String SCOPE = """
			status = 'PUBLISHED'
			  AND ('.' || event_type) ~ ANY (?::text[])
			  AND (cardinality(?::text[]) = 0 OR event_type = ANY (?::text[]))
			  AND (?::text IS NULL OR aggregate_id = ?::text)
			  AND (?::text IS NULL OR correlation_id = ?::text)
			  AND (?::timestamptz IS NULL OR published_at >= ?::timestamptz)
			  AND (?::timestamptz IS NULL OR published_at < ?::timestamptz)""";

	private static final String COUNT = "SELECT count(*) AS matched, coalesce(max(id), 0) AS last_id "
			+ "FROM outbox_event WHERE " + SCOPE;

	// The claim's columns (sql/claim-outbox-batch.sql), so OutboxRow and the assembler
	// take them as they take a claimed row: a row far over the size limit comes without
	// its JSON.
	private static final String PAGE = """
			SELECT id, event_id, event_type, event_version, aggregate_type, aggregate_id, occurred_at, correlation_id,
			       causation_id, attempts,
			       CASE WHEN octet_length(traceparent) = 55 THEN traceparent END AS traceparent, sz.bytes AS row_size,
			       CASE WHEN sz.bytes <= 2 * ? THEN metadata::text END AS metadata,
			       CASE WHEN sz.bytes <= 2 * ? THEN payload::text END AS payload
			FROM outbox_event
			CROSS JOIN LATERAL (SELECT coalesce(octet_length(metadata::text), 0) + octet_length(payload::text)
			                           + octet_length(event_type) + octet_length(event_version)
			                           + octet_length(aggregate_type) + octet_length(aggregate_id)
			                           + coalesce(octet_length(correlation_id), 0)
			                           + coalesce(octet_length(causation_id), 0) AS bytes) sz
			WHERE id > ? AND id <= ? AND""" + " " + SCOPE + """

			ORDER BY id LIMIT ?""";

	private final JdbcTemplate jdbc;

	private final OutboundAssembler assembler;

	private final int maxEventBytes;

	PublishedEvents(DataSource dataSource, OutboundAssembler assembler, EnvelopeProperties envelope) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.jdbc.setQueryTimeout(TIMEOUT_SECONDS);
		this.assembler = assembler;
		this.maxEventBytes = envelope.maxBytes();
	}

	/**
	 * Counts the events a scope selects now.
	 * @param scope the scope
	 * @return how many, and the highest outbox id among them: a replay goes no further,
	 * so events published while it runs are not added to it
	 */
	public Match count(ReplayScope scope) {
		Map<String, Object> row = this.jdbc.queryForMap(COUNT, scopeArguments(scope).toArray());
		return new Match(((Number) row.get("matched")).longValue(), ((Number) row.get("last_id")).longValue());
	}

	/**
	 * The next page of a replay, assembled for publishing.
	 * @param scope the scope
	 * @param afterId the last outbox id of the previous page (0 at first)
	 * @param lastId the highest outbox id of the replay ({@link Match#lastId()})
	 * @param limit how many rows at most
	 * @return the page; empty when the replay is done
	 */
	public Page page(ReplayScope scope, long afterId, long lastId, int limit) {
		List<Object> arguments = new ArrayList<>(List.of(this.maxEventBytes, this.maxEventBytes, afterId, lastId));
		arguments.addAll(scopeArguments(scope));
		arguments.add(limit);
		List<Republication> events = new ArrayList<>();
		List<UUID> skipped = new ArrayList<>();
		long last = afterId;
		for (OutboxRow row : this.jdbc.query(PAGE, OutboxRow::fromResultSet, arguments.toArray())) {
			last = row.id();
			OutboundMessage message = this.assembler.assemble(row);
			if (message.isDeadLetter()) {
				// Valid when it was published, not now (a schema changed, or it grew past
				// the limit): it is not sent again in another shape.
				skipped.add(row.eventId());
				continue;
			}
			Object partition = message.message().properties().getHeaders().get(AggregatePartitions.HEADER);
			events.add(new Republication(row.id(), row.eventId(),
					(partition instanceof Number number) ? number.intValue()
							: AggregatePartitions.of(row.aggregateType(), row.aggregateId()),
					message.message(), message.publish()));
		}
		return new Page(events, skipped, last);
	}

	private static List<Object> scopeArguments(ReplayScope scope) {
		String[] bindings = scope.bindings().stream().map(TopicPatterns::regex).toArray(String[]::new);
		String[] types = scope.eventTypes().toArray(String[]::new);
		Timestamp from = timestamp(scope.publishedFrom());
		Timestamp to = timestamp(scope.publishedTo());
		List<Object> arguments = new ArrayList<>();
		arguments.add(bindings);
		arguments.add(types);
		arguments.add(types);
		arguments.add(scope.aggregateId());
		arguments.add(scope.aggregateId());
		arguments.add(scope.correlationId());
		arguments.add(scope.correlationId());
		arguments.add(from);
		arguments.add(from);
		arguments.add(to);
		arguments.add(to);
		return arguments;
	}

	private static Timestamp timestamp(Instant instant) {
		return (instant != null) ? Timestamp.from(instant) : null;
	}

	/**
	 * What a scope selects.
	 *
	 * @param matched how many events
	 * @param lastId the highest outbox id among them (0 when none)
	 */
	public record Match(long matched, long lastId) {
	}

	/**
	 * One page of a replay.
	 *
	 * @param events the events to publish, in outbox id order
	 * @param skipped events that no longer assemble into a valid message (not sent)
	 * @param lastId the highest outbox id read: the next page starts after it
	 */
	public record Page(List<Republication> events, List<UUID> skipped, long lastId) {

		/**
		 * @return whether the page read no row: the replay is done
		 */
		public boolean isEmpty() {
			return this.events.isEmpty() && this.skipped.isEmpty();
		}

	}

	/**
	 * One event as the relay would publish it.
	 *
	 * @param rowId its outbox row
	 * @param eventId its id
	 * @param partition its aggregate's partition ({@code aggregatePartition} header)
	 * @param message exchange and routing key as the relay sends it, AMQP properties and
	 * body; a replay changes only where it goes
	 * @param span the trace span of its publish, to end when the broker answered (a no-op
	 * when tracing is off)
	 */
	public record Republication(long rowId, UUID eventId, int partition, Outgoing message, Span span) {
	}

}
