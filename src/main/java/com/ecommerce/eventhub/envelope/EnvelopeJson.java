package com.ecommerce.eventhub.envelope;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one Jackson configuration for envelopes: ISO-8601 UTC instants, absent optionals
 * omitted, and read limits far below Jackson's defaults (1000-deep nesting, 20 MB
 * strings) because envelopes come from other systems.
 *
 * <p>
 * Numbers are read as exact decimals and written back digit for digit ({@code 229.90}
 * stays {@code 229.90}, never {@code 229.9} or {@code 2.299E2}), so an event is published
 * with the numbers PostgreSQL stored. A document with a repeated key or anything after
 * its end is malformed: two parsers must never read one body as two different events.
 */
public final class EnvelopeJson {

	/** Deepest nesting an envelope may have; the spec's deepest example needs 5. */
	public static final int MAX_NESTING_DEPTH = 32;

	/**
	 * Longest number accepted, as written and written out in full; money and counters
	 * need far fewer.
	 */
	public static final int MAX_NUMBER_LENGTH = 64;

	/** Longest string value accepted. */
	public static final int MAX_STRING_LENGTH = 1_000_000;

	private static final ObjectMapper MAPPER = create();

	private static final ObjectReader JSONB_READER = MAPPER.reader()
		.without(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

	private EnvelopeJson() {
	}

	/**
	 * The shared, thread-safe mapper.
	 * @return the mapper
	 */
	public static ObjectMapper mapper() {
		return MAPPER;
	}

	/**
	 * Reads JSON text that PostgreSQL wrote from a {@code jsonb} column, with the same
	 * limits as {@link #mapper()} but without its duplicate-key check: {@code jsonb}
	 * keeps one value per key, so the check could never fail there and costs about a
	 * quarter of the parse on the relay's path.
	 * @return the shared, thread-safe reader
	 */
	public static ObjectReader jsonbReader() {
		return JSONB_READER;
	}

	private static ObjectMapper create() {
		JsonFactory factory = JsonFactory.builder()
			.streamReadConstraints(StreamReadConstraints.builder()
				.maxNestingDepth(MAX_NESTING_DEPTH)
				.maxNumberLength(MAX_NUMBER_LENGTH)
				.maxStringLength(MAX_STRING_LENGTH)
				.build())
			.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
			.build();
		return JsonMapper.builder(factory)
			.addModule(new JavaTimeModule())
			.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
			.disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
			.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
			.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
			.disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
			.serializationInclusion(JsonInclude.Include.NON_NULL)
			.build();
	}

}
