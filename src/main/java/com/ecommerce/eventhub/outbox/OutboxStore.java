package com.ecommerce.eventhub.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;
import java.util.stream.Collectors;

import com.ecommerce.eventhub.config.EnvelopeProperties;
import com.ecommerce.eventhub.config.RelayProperties;
import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.EnvelopeValidationException;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.envelope.StorableJson;
import com.ecommerce.eventhub.envelope.Violation;
import com.ecommerce.eventhub.tracing.EventTracing;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The owner of {@code outbox_event}'s writes: every insert, update and delete of the
 * table is here (and the relay's claim, {@code sql/claim-outbox-batch.sql}); the
 * read-only lookups of the operator console and scoped replays are {@link EventLookup}
 * and {@link PublishedEvents} in this package. Other packages pass {@link Envelope}
 * records in and get records out; none of them names the table.
 */
@Repository
public class OutboxStore {

	// The hub's own events (e-mail requests and results, retries): a redelivered cause
	// writes the same
	// derived eventId, which is kept once.
	private static final String WRITE = """
			INSERT INTO outbox_event (event_id, event_type, event_version, aggregate_type, aggregate_id, occurred_at,
			    correlation_id, causation_id, metadata, payload, available_at, traceparent)
			VALUES (?::uuid, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, coalesce(?, now()), ?)
			ON CONFLICT (event_id) DO NOTHING""";

	private static final String INSERT_IF_ABSENT = """
			INSERT INTO outbox_event (event_id, event_type, event_version, aggregate_type, aggregate_id, occurred_at,
			    correlation_id, causation_id, metadata, payload, traceparent)
			VALUES (?::uuid, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)
			ON CONFLICT (event_id) DO NOTHING
			RETURNING id""";

	// Ingestion's group commit: the single-event posts that arrived together, one row per
	// array element, inserted in arrival order by one statement. An occurredAt is always
	// set by then (enriched); the cast from ISO-8601 text keeps its microseconds.
	private static final String INSERT_ALL_IF_ABSENT = """
			INSERT INTO outbox_event (event_id, event_type, event_version, aggregate_type, aggregate_id, occurred_at,
			    correlation_id, causation_id, metadata, payload, traceparent)
			SELECT e.event_id::uuid, e.event_type, e.event_version, e.aggregate_type, e.aggregate_id,
			       e.occurred_at::timestamptz, e.correlation_id, e.causation_id, e.metadata::jsonb, e.payload::jsonb,
			       e.traceparent
			FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
			            ?::text[], ?::text[], ?::text[])
			     WITH ORDINALITY AS e(event_id, event_type, event_version, aggregate_type, aggregate_id, occurred_at,
			                          correlation_id, causation_id, metadata, payload, traceparent, position)
			ORDER BY e.position
			ON CONFLICT (event_id) DO NOTHING
			RETURNING event_id""";

	// PostgreSQL compares: jsonb equality is by value (1.0 = 1, key order irrelevant),
	// and nothing of
	// the stored row has to be read back into the hub.
	private static final String EXISTING = """
			SELECT status,
			       event_type = ? AND event_version = ? AND aggregate_type = ? AND aggregate_id = ?
			       AND correlation_id IS NOT DISTINCT FROM ? AND causation_id IS NOT DISTINCT FROM ?
			       AND metadata IS NOT DISTINCT FROM ?::jsonb AND payload = ?::jsonb
			       AND (?::timestamptz IS NULL OR occurred_at = ?::timestamptz) AS same
			FROM outbox_event WHERE event_id = ?::uuid""";

	private static final String STATUS = """
			SELECT event_id, event_type, status, attempts, last_error, occurred_at, published_at
			FROM outbox_event WHERE event_id = ?::uuid""";

	private static final String MARK_PUBLISHED = """
			UPDATE outbox_event
			SET status = 'PUBLISHED', published_at = now(), attempts = attempts + 1, last_error = NULL
			WHERE id = ANY (?)""";

	private static final String MARK_DEAD = """
			UPDATE outbox_event
			SET status = 'DEAD', attempts = attempts + 1, last_error = ?
			WHERE id = ?""";

	// Exponential backoff from the row's own attempt count, capped: initial * 2^attempts.
	private static final String MARK_FAILED = """
			UPDATE outbox_event
			SET attempts = attempts + 1, last_error = ?,
			    available_at = now() + make_interval(secs => least(? * power(2, least(attempts, 30)), ?))
			WHERE id = ANY (?)""";

	// The DEAD row of a relay dead letter is handled once the dead letter is: retention
	// may delete it.
	private static final String MARK_HANDLED = """
			UPDATE outbox_event SET handled_at = now()
			WHERE event_id = ?::uuid AND status = 'DEAD' AND handled_at IS NULL""";

	// No index on published_at: old rows sit at the start of the heap, where a sequential
	// scan with a
	// LIMIT finds them at once, and an index would cost every relay mark an extra index
	// write.
	private static final String DELETE_PUBLISHED = """
			DELETE FROM outbox_event WHERE ctid = ANY (ARRAY(
			    SELECT ctid FROM outbox_event
			    WHERE status = 'PUBLISHED' AND published_at < now() - make_interval(secs => ?) LIMIT ?))""";

	private static final String DELETE_HANDLED_DEAD = """
			DELETE FROM outbox_event WHERE ctid = ANY (ARRAY(
			    SELECT ctid FROM outbox_event
			    WHERE status = 'DEAD' AND handled_at < now() - make_interval(secs => ?) LIMIT ?))""";

	private static final String BACKLOG = """
			SELECT count(*) AS pending,
			       greatest(coalesce(extract(epoch FROM now() - min(
			           CASE WHEN attempts = 0 THEN available_at ELSE created_at END)), 0), 0) AS lag
			FROM outbox_event WHERE status = 'PENDING'""";

	// Dead tuples of the table: every published row leaves one behind until a vacuum.
	private static final String DEAD_TUPLES = """
			SELECT n_dead_tup, n_live_tup,
			       coalesce(extract(epoch FROM now() - greatest(last_vacuum, last_autovacuum)), 1e9) AS since_vacuum
			FROM pg_stat_user_tables WHERE relid = 'outbox_event'::regclass""";

	/** Where the JDK's calendar of {@link Timestamp} turns from Julian to Gregorian. */
	private static final Instant GREGORIAN_CUTOVER = new GregorianCalendar().getGregorianChange().toInstant();

	private final ObjectMapper mapper = EnvelopeJson.mapper();

	private final JdbcTemplate jdbc;

	private final NamedParameterJdbcTemplate namedJdbc;

	private final String claimSql;

	private final String claimPlanSql;

	private final int maxBatchBytes;

	private final EventSchemas schemas;

	private final int maxEventBytes;

	private final double backoffInitialSeconds;

	private final double backoffMaxSeconds;

	private final EventTracing tracing;

	OutboxStore(JdbcTemplate jdbc, EventSchemas schemas, EnvelopeProperties envelope, RelayProperties relay,
			EventTracing tracing) {
		this.jdbc = jdbc;
		this.namedJdbc = new NamedParameterJdbcTemplate(jdbc);
		this.claimSql = sql("sql/claim-outbox-batch.sql");
		this.claimPlanSql = sql("sql/claim-plan-settings.sql");
		this.maxBatchBytes = (int) Math.min(Integer.MAX_VALUE, relay.maxBatchBytes().toBytes());
		this.tracing = tracing;
		this.schemas = schemas;
		this.maxEventBytes = envelope.maxBytes();
		this.backoffInitialSeconds = relay.backoffInitial().toMillis() / 1000.0;
		this.backoffMaxSeconds = relay.backoffMax().toMillis() / 1000.0;
	}

	private static String sql(String resource) {
		try {
			return new ClassPathResource(resource).getContentAsString(StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + resource, ex);
		}
	}

	/**
	 * Claims a relay worker's next batch in the caller's transaction, which must mark the
	 * rows and commit: the rows stay locked until then ({@code FOR UPDATE SKIP LOCKED}).
	 * Runs with JDBC and a row mapper of its own, not camel-sql: no column map per row on
	 * the relay's hot path.
	 * @param workerIndex this worker's share of the aggregates
	 * @param workerCount the instance's workers
	 * @param batchSize rows at most
	 * @return the claimed rows in id order, empty when none is due
	 */
	List<OutboxRow> claim(int workerIndex, int workerCount, int batchSize) {
		// Its result (the settings' values) is of no use: executed, not read into a row
		// set.
		this.jdbc.execute(this.claimPlanSql);
		Map<String, Object> parameters = Map.of("workerIndex", workerIndex, "workerCount", workerCount, "batchSize",
				batchSize, "maxEventBytes", this.maxEventBytes, "maxBatchBytes", this.maxBatchBytes);
		return this.namedJdbc.query(this.claimSql, parameters, OutboxRow::fromResultSet);
	}

	/**
	 * Writes one of the hub's own events, in the caller's transaction. It is validated
	 * first, so the hub never writes a row its relay would dead-letter. It continues the
	 * trace in scope (the consumer attempt that writes it).
	 * @param envelope a complete envelope
	 * @param availableAt when the relay may publish it, null for now (a later time is a
	 * durable delay)
	 * @return false when an event with its eventId was written before (nothing written)
	 * @throws EnvelopeValidationException when the envelope is invalid, holds what
	 * PostgreSQL cannot store (values copied from a consumed event) or is over
	 * {@code hub.envelope.max-size}
	 */
	public boolean write(Envelope envelope, Instant availableAt) {
		JsonNode tree = this.mapper.valueToTree(envelope);
		List<Violation> violations = new ArrayList<>(StorableJson.canonicalize(tree, ""));
		violations.addAll(this.schemas.validate(tree));
		if (!violations.isEmpty()) {
			throw EnvelopeValidationException.of(violations);
		}
		// Each part is serialized once: the payload and metadata columns, and the rest
		// only for the size of the whole event as the relay will publish it (compact).
		ObjectNode head = (ObjectNode) tree;
		String payload = json(head.remove("payload"));
		JsonNode metadataNode = head.get("metadata");
		String metadata = (metadataNode != null) ? json(metadataNode) : null;
		int size = utf8Length(json(head)) + ",\"payload\":".length() + utf8Length(payload);
		if (size > this.maxEventBytes) {
			throw new EnvelopeValidationException("invalid envelope: the event would be " + size
					+ " bytes as JSON; at most " + this.maxEventBytes + " are published (hub.envelope.max-size)");
		}
		return this.jdbc.update(WRITE, envelope.eventId().toString(), envelope.eventType(), envelope.eventVersion(),
				envelope.aggregateType(), envelope.aggregateId(), timestamp(envelope.occurredAt()),
				envelope.correlationId(), envelope.causationId(), metadata, payload,
				(availableAt != null) ? Timestamp.from(availableAt) : null, this.tracing.currentTraceparent()) == 1;
	}

	/**
	 * Inserts a posted envelope unless its eventId exists; a concurrent insert of the
	 * same eventId waits for the other transaction and then sees its row. It continues
	 * the trace in scope (the ingestion request).
	 * @param envelope the canonical, enriched, valid envelope
	 * @param compareOccurredAt whether the caller set occurredAt (a defaulted one differs
	 * on every post)
	 * @return what happened
	 */
	public Stored insertIfAbsent(Envelope envelope, boolean compareOccurredAt) {
		String eventId = envelope.eventId().toString();
		List<Long> inserted = this.jdbc.queryForList(INSERT_IF_ABSENT, Long.class, eventId, envelope.eventType(),
				envelope.eventVersion(), envelope.aggregateType(), envelope.aggregateId(),
				timestamp(envelope.occurredAt()), envelope.correlationId(), envelope.causationId(), metadata(envelope),
				json(envelope.payload()), this.tracing.currentTraceparent());
		if (!inserted.isEmpty()) {
			return new Stored(eventId, "PENDING", true, false);
		}
		return existing(envelope, compareOccurredAt);
	}

	/**
	 * Inserts posted envelopes with one statement, in list order, in the caller's
	 * transaction: those whose eventId exists are skipped (see {@link #existing}). A
	 * value PostgreSQL refuses fails the whole statement and nothing of it is stored.
	 * @param envelopes canonical, enriched, valid envelopes, no eventId twice
	 * @param traceparents each envelope's trace (of the request that posted it), or nulls
	 * @return the eventIds inserted
	 */
	public Set<UUID> insertAllIfAbsent(List<Envelope> envelopes, List<String> traceparents) {
		int count = envelopes.size();
		String[][] columns = new String[11][count];
		for (int i = 0; i < count; i++) {
			Envelope envelope = envelopes.get(i);
			columns[0][i] = envelope.eventId().toString();
			columns[1][i] = envelope.eventType();
			columns[2][i] = envelope.eventVersion();
			columns[3][i] = envelope.aggregateType();
			columns[4][i] = envelope.aggregateId();
			columns[5][i] = (envelope.occurredAt() != null) ? timestampText(envelope.occurredAt()) : null;
			columns[6][i] = envelope.correlationId();
			columns[7][i] = envelope.causationId();
			columns[8][i] = metadata(envelope);
			columns[9][i] = json(envelope.payload());
			columns[10][i] = traceparents.get(i);
		}
		List<UUID> inserted = this.jdbc.query(connection -> {
			PreparedStatement statement = connection.prepareStatement(INSERT_ALL_IF_ABSENT);
			for (int column = 0; column < columns.length; column++) {
				statement.setArray(column + 1, connection.createArrayOf("text", columns[column]));
			}
			return statement;
		}, (row, number) -> row.getObject(1, UUID.class));
		return new HashSet<>(inserted);
	}

	/**
	 * What became of a posted envelope whose eventId was stored before: a duplicate of
	 * the stored event, or a conflict with it.
	 * @param envelope the canonical, enriched, valid envelope
	 * @param compareOccurredAt whether the caller set occurredAt (a defaulted one differs
	 * on every post)
	 * @return the stored event's status, and whether it conflicts
	 */
	public Stored existing(Envelope envelope, boolean compareOccurredAt) {
		Timestamp compared = compareOccurredAt ? timestamp(envelope.occurredAt()) : null;
		Map<String, Object> existing = this.jdbc.queryForMap(EXISTING, envelope.eventType(), envelope.eventVersion(),
				envelope.aggregateType(), envelope.aggregateId(), envelope.correlationId(), envelope.causationId(),
				metadata(envelope), json(envelope.payload()), compared, compared, envelope.eventId().toString());
		boolean same = Boolean.TRUE.equals(existing.get("same"));
		return new Stored(envelope.eventId().toString(), (String) existing.get("status"), false, !same);
	}

	/**
	 * @param eventId an event
	 * @return its outbox status, empty when there is no such event
	 */
	public Optional<EventStatus> status(UUID eventId) {
		return this.jdbc
			.query(STATUS,
					(rs, row) -> new EventStatus(rs.getObject("event_id", UUID.class), rs.getString("event_type"),
							rs.getString("status"), rs.getInt("attempts"), rs.getString("last_error"),
							instant(rs.getTimestamp("occurred_at")), instant(rs.getTimestamp("published_at"))),
					eventId.toString())
			.stream()
			.findFirst();
	}

	/**
	 * Marks the DEAD row of a relay dead letter handled (replayed or discarded):
	 * retention may delete it.
	 * @param eventId the event
	 */
	public void markDeadHandled(UUID eventId) {
		this.jdbc.update(MARK_HANDLED, eventId.toString());
	}

	/**
	 * Deletes, in one statement, at most {@code limit} PUBLISHED rows published longer
	 * ago than {@code age}.
	 * @param age how old a published row must be
	 * @param limit rows per statement
	 * @return rows deleted
	 */
	public int deletePublished(Duration age, int limit) {
		return this.jdbc.update(DELETE_PUBLISHED, age.toMillis() / 1000.0, limit);
	}

	/**
	 * Deletes, in one statement, at most {@code limit} DEAD rows handled longer ago than
	 * {@code age}; an unhandled DEAD row is never deleted.
	 * @param age how long ago a dead row must have been handled
	 * @param limit rows per statement
	 * @return rows deleted
	 */
	public int deleteHandledDead(Duration age, int limit) {
		return this.jdbc.update(DELETE_HANDLED_DEAD, age.toMillis() / 1000.0, limit);
	}

	/** The outbox backlog: PENDING rows and how long the oldest due one has waited. */
	public Backlog backlog() {
		Map<String, Object> backlog = this.jdbc.queryForMap(BACKLOG);
		return new Backlog(((Number) backlog.get("pending")).longValue(), ((Number) backlog.get("lag")).doubleValue());
	}

	/**
	 * Vacuums the table when dead tuples pile up and no vacuum ran for a minute: every
	 * published row leaves one behind, and dead entries in the pending index slow the
	 * relay's claim. PostgreSQL's autovacuum does this when it is on and keeps up; where
	 * it is off or behind, the hub does it. {@code SKIP_LOCKED}: an instance that finds
	 * another one vacuuming skips its turn.
	 * @return whether it vacuumed
	 */
	public boolean vacuumIfBloated() {
		Map<String, Object> stats = this.jdbc.queryForList(DEAD_TUPLES).stream().findFirst().orElse(Map.of());
		long dead = ((Number) stats.getOrDefault("n_dead_tup", 0)).longValue();
		long live = ((Number) stats.getOrDefault("n_live_tup", 0)).longValue();
		double sinceVacuum = ((Number) stats.getOrDefault("since_vacuum", 0)).doubleValue();
		if (dead < Math.max(1_000, live / 20) || sinceVacuum < 60) {
			return false;
		}
		this.jdbc.execute("VACUUM (ANALYZE, SKIP_LOCKED) outbox_event");
		return true;
	}

	void markPublished(List<Long> ids) {
		if (!ids.isEmpty()) {
			this.jdbc.update(MARK_PUBLISHED, (Object) ids.toArray(Long[]::new));
		}
	}

	void markDead(Map<Long, String> reasons) {
		if (!reasons.isEmpty()) {
			this.jdbc.batchUpdate(MARK_DEAD,
					reasons.entrySet()
						.stream()
						.map(entry -> new Object[] { entry.getValue(), entry.getKey() })
						.toList());
		}
	}

	/**
	 * Counts a failed attempt for each row and postpones it by its backoff.
	 * @param errors row id to error message
	 */
	void markFailed(Map<Long, String> errors) {
		Map<String, List<Long>> idsByError = errors.entrySet()
			.stream()
			.collect(Collectors.groupingBy(Map.Entry::getValue,
					Collectors.mapping(Map.Entry::getKey, Collectors.toList())));
		idsByError.forEach((error, ids) -> this.jdbc.update(MARK_FAILED, error, this.backoffInitialSeconds,
				this.backoffMaxSeconds, ids.toArray(Long[]::new)));
	}

	private String metadata(Envelope envelope) {
		// Written directly, not through a tree: the same JSON, one copy fewer.
		return (envelope.metadata() != null) ? json(envelope.metadata()) : null;
	}

	/** A tree or a record of strings as JSON; either always serializes. */
	private String json(Object value) {
		try {
			return this.mapper.writeValueAsString(value);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("A storable tree always serializes", ex);
		}
	}

	private static int utf8Length(String text) {
		return text.getBytes(StandardCharsets.UTF_8).length;
	}

	/**
	 * An instant as PostgreSQL reads a {@code timestamptz}, the way the driver writes a
	 * {@link Timestamp}: every other statement binds and reads occurred_at as one, and
	 * the JDK's calendar for it is Julian before 1582-10-15. Written the same way, an
	 * early occurredAt (years 1–9999 are accepted) reads back and compares as it was
	 * posted.
	 * @param instant an instant
	 * @return ISO-8601 text with microseconds
	 */
	static String timestampText(Instant instant) {
		if (!instant.isBefore(GREGORIAN_CUTOVER)) {
			return instant.toString();
		}
		GregorianCalendar calendar = new GregorianCalendar(TimeZone.getTimeZone(ZoneOffset.UTC));
		calendar.setTimeInMillis(instant.getEpochSecond() * 1000);
		return String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", calendar.get(Calendar.YEAR),
				calendar.get(Calendar.MONTH) + 1, calendar.get(Calendar.DAY_OF_MONTH),
				calendar.get(Calendar.HOUR_OF_DAY), calendar.get(Calendar.MINUTE), calendar.get(Calendar.SECOND),
				instant.getNano() / 1000);
	}

	private static Timestamp timestamp(Instant instant) {
		return (instant != null) ? Timestamp.from(instant) : null;
	}

	private static Instant instant(Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	/**
	 * What became of a posted envelope.
	 *
	 * @param eventId the event
	 * @param status its outbox status
	 * @param created whether this request stored it
	 * @param conflict whether an event with this id but other content exists
	 */
	public record Stored(String eventId, String status, boolean created, boolean conflict) {
	}

	/**
	 * An event's outbox status.
	 *
	 * @param eventId the event
	 * @param eventType its type
	 * @param status {@code PENDING}, {@code PUBLISHED} or {@code DEAD}
	 * @param attempts publish attempts so far
	 * @param lastError why the last attempt failed, or null
	 * @param occurredAt when the event happened
	 * @param publishedAt when the broker confirmed it, or null
	 */
	public record EventStatus(UUID eventId, String eventType, String status, int attempts, String lastError,
			Instant occurredAt, Instant publishedAt) {
	}

	/**
	 * The outbox backlog.
	 *
	 * @param pending PENDING rows
	 * @param lagSeconds how long the oldest due row has waited: a scheduled row from when
	 * it became due, a row that failed to publish from when it was written
	 */
	public record Backlog(long pending, double lagSeconds) {
	}

}
