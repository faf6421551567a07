package com.ecommerce.eventhub.envelope;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * Validates envelopes against the envelope schema and the payload schema of their event
 * type and major version (JSON Schema draft 2020-12, resource files under
 * {@code schemas/}).
 *
 * <p>
 * The schemas are loaded and compiled once, when this class is constructed;
 * {@link #validate} is thread-safe and is called on the relay's hot path. No check costs
 * more than linear time in the size of the event: every string has a {@code maxLength},
 * the patterns cannot backtrack, and {@code format: email} is {@link EmailAddressFormat}.
 */
public final class EventSchemas {

	/** Base of every schema {@code $id}; resolved to the classpath, never fetched. */
	public static final String ID_PREFIX = "https://schemas.eventhub.ecommerce/";

	private static final String RESOURCE_PREFIX = "classpath:schemas/";

	/** Majors probed per type at load time; a new major is a new file, no code change. */
	private static final int HIGHEST_MAJOR_PROBED = 9;

	private final JsonSchema envelopeSchema;

	private final Map<String, Map<Integer, JsonSchema>> payloadSchemas;

	private EventSchemas(JsonSchema envelopeSchema, Map<String, Map<Integer, JsonSchema>> payloadSchemas) {
		this.envelopeSchema = envelopeSchema;
		this.payloadSchemas = payloadSchemas;
	}

	/**
	 * Loads the envelope schema and every payload schema of {@link EventTypes#ALL}.
	 * @return the compiled schemas
	 * @throws IllegalStateException when an event type has no schema at all
	 */
	public static EventSchemas load() {
		// Draft 2020-12 with the one-pass e-mail check in place of the validator's
		// backtracking one.
		JsonMetaSchema dialect = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
			.format(new EmailAddressFormat())
			.build();
		JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
				builder -> builder.metaSchema(dialect)
					.schemaMappers(mappers -> mappers.mapPrefix(ID_PREFIX, RESOURCE_PREFIX)));
		SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
			.pathType(PathType.JSON_POINTER)
			.formatAssertionsEnabled(true)
			.build();
		JsonSchema envelope = compile(factory, config, "envelope.schema.json");
		Map<String, Map<Integer, JsonSchema>> payloads = new HashMap<>();
		ClassLoader loader = EventSchemas.class.getClassLoader();
		for (String type : EventTypes.ALL) {
			Map<Integer, JsonSchema> byMajor = new HashMap<>();
			for (int major = 1; major <= HIGHEST_MAJOR_PROBED; major++) {
				String file = payloadFile(type, major);
				if (loader.getResource("schemas/" + file) != null) {
					byMajor.put(major, compile(factory, config, file));
				}
			}
			if (byMajor.isEmpty()) {
				throw new IllegalStateException("No payload schema for event type " + type);
			}
			payloads.put(type, Map.copyOf(byMajor));
		}
		return new EventSchemas(envelope, Map.copyOf(payloads));
	}

	private static String payloadFile(String type, int major) {
		return "events/" + type + ".v" + major + ".schema.json";
	}

	private static JsonSchema compile(JsonSchemaFactory factory, SchemaValidatorsConfig config, String file) {
		JsonSchema schema = factory.getSchema(SchemaLocation.of(ID_PREFIX + file), config);
		// Resolve every $ref now so a broken schema fails at start-up, not on the first
		// event.
		schema.initializeValidators();
		return schema;
	}

	/**
	 * The major versions the hub has a schema for.
	 * @param eventType an event type
	 * @return the supported majors, empty for an unknown type
	 */
	public Set<Integer> supportedMajors(String eventType) {
		Map<Integer, JsonSchema> byMajor = this.payloadSchemas.get(eventType);
		return (byMajor != null) ? Collections.unmodifiableSet(new TreeSet<>(byMajor.keySet())) : Set.of();
	}

	/**
	 * Validates an envelope: its base structure, then its payload against the schema of
	 * its event type and major version. A higher minor of a supported major validates
	 * against that major's schema (minor versions only add fields).
	 * @param envelope the envelope as JSON
	 * @return every violation found, empty when the envelope is valid
	 */
	public List<Violation> validate(JsonNode envelope) {
		List<Violation> violations = new ArrayList<>(toViolations(this.envelopeSchema.validate(envelope), ""));
		JsonNode typeNode = envelope.path("eventType");
		String type = typeNode.isTextual() ? typeNode.textValue() : null;
		JsonNode versionNode = envelope.path("eventVersion");
		String version = versionNode.isTextual() ? versionNode.textValue() : null;
		// Checked here again, not left to the schema: without a type and a version there
		// is no payload
		// schema to check, so neither may slip through a pattern's corner case.
		if (type == null) {
			addIfAbsent(violations, "/eventType", "must be a string naming an event type");
		}
		EventVersion parsed = EventVersion.parseOrNull(version);
		if (parsed == null) {
			addIfAbsent(violations, "/eventVersion", "must be major.minor, e.g. 1.0");
		}
		if (type == null || parsed == null) {
			return violations;
		}
		Map<Integer, JsonSchema> byMajor = this.payloadSchemas.get(type);
		if (byMajor == null) {
			violations.add(new Violation("/eventType", "unknown event type '" + type + "'"));
			return violations;
		}
		int major = parsed.major();
		JsonSchema payloadSchema = byMajor.get(major);
		if (payloadSchema == null) {
			violations.add(new Violation("/eventVersion", "unsupported major version " + major + " of " + type
					+ " (supported: " + supportedMajors(type) + ")"));
			return violations;
		}
		JsonNode payload = envelope.get("payload");
		if (payload != null) {
			violations.addAll(toViolations(payloadSchema.validate(payload), "/payload"));
		}
		return violations;
	}

	private static void addIfAbsent(List<Violation> violations, String pointer, String message) {
		if (violations.stream().noneMatch(violation -> violation.pointer().equals(pointer))) {
			violations.add(new Violation(pointer, message));
		}
	}

	private static List<Violation> toViolations(Set<ValidationMessage> messages, String prefix) {
		List<Violation> violations = new ArrayList<>(messages.size());
		for (ValidationMessage message : messages) {
			String location = message.getInstanceLocation().toString();
			String pointer = prefix + ("/".equals(location) ? "" : location);
			if ("required".equals(message.getType()) && message.getProperty() != null) {
				pointer = pointer + "/" + message.getProperty();
			}
			violations.add(new Violation(pointer.isEmpty() ? "/" : pointer, message.getError()));
		}
		violations.sort((a, b) -> a.pointer().compareTo(b.pointer()));
		return violations;
	}

}
