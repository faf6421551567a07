package com.ecommerce.eventhub.envelope;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Numbers become what PostgreSQL's numeric keeps; what PostgreSQL cannot store is named
 * by its pointer.
 */
class StorableJsonTest {

	@Test
	void numbersAreWrittenAsPostgreSqlKeepsThem() throws Exception {
		JsonNode tree = read("{\"a\": 1e2, \"b\": 1.50, \"c\": -0.0, \"d\": 12345678901234567890123, \"e\": 2.5E-3,"
				+ " \"f\": [1E+1, 7], \"g\": 9223372036854775807}");
		assertThat(StorableJson.canonicalize(tree, "")).isEmpty();
		assertThat(EnvelopeJson.mapper().writeValueAsString(tree)).isEqualTo("{\"a\":100,\"b\":1.50,\"c\":0.0,"
				+ "\"d\":12345678901234567890123,\"e\":0.0025,\"f\":[10,7],\"g\":9223372036854775807}");
	}

	@Test
	void whatCannotBeStoredIsNamedByItsPointer() throws Exception {
		JsonNode tree = read(
				"{\"ok\": 1, \"big\": 1e64, \"small\": 1e-64, \"nul\": \"a\\u0000b\", \"lone\": \"\\udc00\","
						+ " \"pair\": \"\\ud83d\\ude00\", \"list\": [\"x\", \"\\u0000\"], \"a/b~\\u0000\": 1}");
		List<Violation> violations = StorableJson.canonicalize(tree, "/payload");
		assertThat(violations).extracting(Violation::pointer)
			.containsExactlyInAnyOrder("/payload/big", "/payload/small", "/payload/nul", "/payload/lone",
					"/payload/list/1", "/payload/a~1b~0\uFFFD");
	}

	private static JsonNode read(String json) throws Exception {
		return EnvelopeJson.mapper().readTree(json);
	}

}
