package com.ecommerce.eventhub.ingestion;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.UUID;

import com.ecommerce.eventhub.config.EnvelopeProperties;
import com.ecommerce.eventhub.config.HubProperties;
import com.ecommerce.eventhub.config.IngestionProperties;
import com.ecommerce.eventhub.config.SecurityProperties.ApiKey;
import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeEnricher;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.envelope.StorableJson;
import com.ecommerce.eventhub.envelope.Violation;
import com.ecommerce.eventhub.outbox.OutboxStore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code POST /api/v1/events}: authorizes, canonicalizes, enriches and validates every
 * envelope before anything is stored, then stores the whole request, all or nothing: one
 * event with the single posts that arrive at the same time ({@link GroupCommit}), an
 * array in one transaction.
 *
 * <p>
 * What is accepted is what is stored and published: numbers and {@code occurredAt} are
 * rewritten the way PostgreSQL keeps them, and values PostgreSQL refuses (U+0000,
 * unpaired surrogates, numbers beyond the hub's limits, years outside 1–9999) are a 400
 * naming their pointer, so an accepted event never fails at the relay and an identical
 * re-post always finds its twin.
 */
@Service
class IngestionService {

	/**
	 * The years an occurredAt may have: RFC 3339's four digits, and no year 0 (PostgreSQL
	 * has none).
	 */
	private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

	private static final Instant AFTER_LATEST = Instant.parse("+10000-01-01T00:00:00Z");

	private final EventSchemas schemas;

	private final EnvelopeEnricher enricher;

	private final OutboxStore outbox;

	private final GroupCommit groupCommit;

	private final TransactionTemplate transactions;

	private final EventTypeScope scope;

	private final int maxBatchSize;

	private final int maxEventBytes;

	IngestionService(EventSchemas schemas, HubProperties hub, IngestionProperties ingestion,
			EnvelopeProperties envelope, OutboxStore outbox, GroupCommit groupCommit, EventTypeScope scope,
			PlatformTransactionManager transactionManager, Clock clock) {
		this.schemas = schemas;
		this.enricher = new EnvelopeEnricher(hub.source(), hub.environment(), clock);
		this.outbox = outbox;
		this.groupCommit = groupCommit;
		this.scope = scope;
		this.transactions = new TransactionTemplate(transactionManager);
		this.maxBatchSize = ingestion.maxBatchSize();
		this.maxEventBytes = envelope.maxBytes();
	}

	/**
	 * @param body the parsed request body: one envelope or an array of envelopes
	 * @param caller the authenticated caller
	 * @return what became of the request
	 */
	IngestionOutcome ingest(JsonNode body, ApiKey caller) {
		boolean single = body.isObject();
		if (!single && !body.isArray()) {
			return invalid("Send one event envelope (a JSON object) or an array of them.");
		}
		List<JsonNode> items = new ArrayList<>();
		body.forEach(items::add);
		if (single) {
			items = List.of(body);
		}
		if (items.isEmpty()) {
			return invalid("The array holds no event.");
		}
		if (items.size() > this.maxBatchSize) {
			return invalid("At most " + this.maxBatchSize + " events per request, got " + items.size() + ".");
		}
		TreeSet<String> forbidden = new TreeSet<>();
		for (JsonNode item : items) {
			JsonNode type = item.path("eventType");
			if (type.isTextual() && !this.scope.allows(caller, type.textValue())) {
				// Named only when short: the answer must not echo a megabyte of attacker
				// text.
				forbidden
					.add((type.textValue().length() <= 100) ? type.textValue() : "(a type of over 100 characters)");
			}
		}
		if (!forbidden.isEmpty()) {
			return new IngestionOutcome.Forbidden(forbidden);
		}
		List<IngestionOutcome.Violation> violations = new ArrayList<>();
		List<IngestionOutcome.Violation> oversize = new ArrayList<>();
		boolean[] occurredAtGiven = new boolean[items.size()];
		int[] sizes = new int[items.size()];
		for (int i = 0; i < items.size(); i++) {
			String prefix = single ? "" : "/" + i;
			Integer index = single ? null : i;
			if (!(items.get(i) instanceof ObjectNode envelope)) {
				violations.add(new IngestionOutcome.Violation(prefix.isEmpty() ? "/" : prefix,
						"must be an event envelope (object)", index));
				continue;
			}
			List<Violation> found = new ArrayList<>(StorableJson.canonicalize(envelope, ""));
			occurredAtGiven[i] = envelope.hasNonNull("occurredAt");
			boolean occurredAtReadable = canonicalizeIdentity(envelope, found);
			this.enricher.enrichFromCaller(envelope, caller.name());
			found.addAll(this.schemas.validate(envelope));
			if (!occurredAtReadable && found.stream().noneMatch(v -> v.pointer().equals("/occurredAt"))) {
				// RFC 3339 allows a leap second (:60), which PostgreSQL would move to the
				// next minute.
				found.add(new Violation("/occurredAt", "must be a date-time without a leap second"));
			}
			for (Violation violation : found) {
				violations
					.add(new IngestionOutcome.Violation(prefix + violation.pointer(), violation.message(), index));
			}
			// Measured only when the envelope is storable: a number refused above may not
			// even serialize.
			int size = found.isEmpty() ? serializedSize(envelope) : 0;
			sizes[i] = size;
			if (size > this.maxEventBytes) {
				oversize.add(new IngestionOutcome.Violation(prefix.isEmpty() ? "/" : prefix, "the event is " + size
						+ " bytes as JSON; at most " + this.maxEventBytes + " are accepted (hub.envelope.max-size)",
						index));
			}
		}
		if (!oversize.isEmpty()) {
			return new IngestionOutcome.TooLarge(oversize);
		}
		if (!violations.isEmpty()) {
			return new IngestionOutcome.Invalid(violations.size() + " invalid field(s); nothing was stored.",
					violations);
		}
		if (single) {
			return storeOne(toEnvelope(items.get(0)), occurredAtGiven[0], sizes[0]);
		}
		return store(items, occurredAtGiven);
	}

	private static IngestionOutcome invalid(String detail) {
		return new IngestionOutcome.Invalid(detail, List.of());
	}

	/**
	 * eventId in its canonical lower-case form (generated when absent), occurredAt as the
	 * UTC instant PostgreSQL keeps (microseconds). What the schema checks anyway is left
	 * to the schema.
	 * @return false when occurredAt is text that does not parse as a date-time
	 */
	private static boolean canonicalizeIdentity(ObjectNode envelope, List<Violation> violations) {
		JsonNode eventId = envelope.get("eventId");
		if (eventId == null || eventId.isNull()) {
			envelope.put("eventId", UUID.randomUUID().toString());
		}
		else if (eventId.isTextual() && eventId.textValue().length() == 36) {
			envelope.put("eventId", eventId.textValue().toLowerCase(Locale.ROOT));
		}
		JsonNode occurredAt = envelope.get("occurredAt");
		if (occurredAt != null && occurredAt.isTextual() && occurredAt.textValue().length() <= 64) {
			try {
				Instant instant = OffsetDateTime.parse(occurredAt.textValue().toUpperCase(Locale.ROOT)).toInstant();
				if (instant.isBefore(EARLIEST) || !instant.isBefore(AFTER_LATEST)) {
					violations.add(new Violation("/occurredAt", "must be a time in the years 1 to 9999 (UTC)"));
				}
				else {
					envelope.put("occurredAt",
							DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MICROS)));
				}
			}
			catch (DateTimeParseException ex) {
				return false;
			}
		}
		return true;
	}

	/** A valid, canonical envelope as the record events travel in. */
	private static Envelope toEnvelope(JsonNode envelope) {
		try {
			return Envelope.ofValidTree(envelope);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("A validated envelope always maps", ex);
		}
	}

	private static int serializedSize(JsonNode envelope) {
		try {
			return EnvelopeJson.mapper().writeValueAsBytes(envelope).length;
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("A parsed tree always serializes", ex);
		}
	}

	/**
	 * One envelope: written with the single posts that arrived at the same time
	 * ({@link GroupCommit}); one that was stored before is compared with its twin.
	 */
	private IngestionOutcome storeOne(Envelope envelope, boolean occurredAtGiven, int bytes) {
		OutboxStore.Stored stored = this.groupCommit.insertIfAbsent(envelope, bytes)
				? new OutboxStore.Stored(envelope.eventId().toString(), "PENDING", true, false)
				: this.outbox.existing(envelope, occurredAtGiven);
		if (stored.conflict()) {
			return new IngestionOutcome.Conflict(List.of(stored.eventId()));
		}
		return new IngestionOutcome.Accepted(List.of(stored), true);
	}

	/** An array: all or nothing, in one transaction. */
	private IngestionOutcome store(List<JsonNode> envelopes, boolean[] occurredAtGiven) {
		List<OutboxStore.Stored> stored = new ArrayList<>();
		List<String> conflicts = new ArrayList<>();
		List<Envelope> records = envelopes.stream().map(IngestionService::toEnvelope).toList();
		this.transactions.executeWithoutResult(status -> {
			for (int i = 0; i < records.size(); i++) {
				OutboxStore.Stored result = this.outbox.insertIfAbsent(records.get(i), occurredAtGiven[i]);
				stored.add(result);
				if (result.conflict()) {
					conflicts.add(result.eventId());
				}
			}
			if (!conflicts.isEmpty()) {
				status.setRollbackOnly();
			}
		});
		if (!conflicts.isEmpty()) {
			return new IngestionOutcome.Conflict(conflicts);
		}
		return new IngestionOutcome.Accepted(stored, false);
	}

}
