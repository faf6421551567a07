package com.ecommerce.eventhub.ingestion;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.fasterxml.jackson.core.JsonProcessingException;

/** Writes answer bodies. */
final class Json {

	private Json() {
	}

	static String write(Object value) {
		try {
			return EnvelopeJson.mapper().writeValueAsString(value);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
