package com.ecommerce.eventhub.web;

import java.util.Map;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.camel.Exchange;

/**
 * Writes the answer of a REST route: status, content type and body, and nothing else.
 * Every other header is dropped first, so no request header (an API key, a
 * {@code CamelSqlQuery}) travels back or further.
 */
public final class HttpAnswers {

	private HttpAnswers() {
	}

	/**
	 * @param exchange the REST exchange
	 * @param status the HTTP status
	 * @param body a value Jackson writes as JSON
	 */
	public static void json(Exchange exchange, int status, Object body) {
		try {
			answer(exchange, status, "application/json", EnvelopeJson.mapper().writeValueAsString(body));
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * @param exchange the REST exchange
	 * @param status the HTTP status
	 * @param title the problem type's summary
	 * @param detail what went wrong
	 */
	public static void problem(Exchange exchange, int status, String title, String detail) {
		problem(exchange, status, title, detail, Map.of());
	}

	/**
	 * @param exchange the REST exchange
	 * @param status the HTTP status
	 * @param title the problem type's summary
	 * @param detail what went wrong
	 * @param extensions further members, e.g. {@code violations}
	 */
	public static void problem(Exchange exchange, int status, String title, String detail,
			Map<String, Object> extensions) {
		answer(exchange, status, Problem.CONTENT_TYPE, Problem.json(status, title, detail, extensions));
	}

	/**
	 * @param exchange the REST exchange
	 * @param status the HTTP status
	 * @param contentType the body's content type
	 * @param body the body as text
	 */
	public static void answer(Exchange exchange, int status, String contentType, String body) {
		exchange.getMessage().removeHeaders("*");
		exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
		exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType);
		exchange.getMessage().setBody(body);
	}

}
