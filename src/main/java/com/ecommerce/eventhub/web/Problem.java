package com.ecommerce.eventhub.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import jakarta.servlet.http.HttpServletResponse;

/** An RFC 9457 {@code application/problem+json} answer. */
public final class Problem {

	public static final String CONTENT_TYPE = "application/problem+json";

	private static final ObjectMapper MAPPER = JsonMapper.builder().build();

	private Problem() {
	}

	/**
	 * The problem document.
	 * @param status the HTTP status
	 * @param title a short summary of the problem type
	 * @param detail what went wrong with this request
	 * @param extensions further members, e.g. {@code violations}
	 * @return the JSON text
	 */
	public static String json(int status, String title, String detail, Map<String, Object> extensions) {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", "about:blank");
		problem.put("title", title);
		problem.put("status", status);
		problem.put("detail", detail);
		problem.putAll(extensions);
		try {
			return MAPPER.writeValueAsString(problem);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Writes a problem answer.
	 * @param response the servlet response
	 * @param status the HTTP status
	 * @param title a short summary
	 * @param detail what went wrong
	 * @throws IOException when the client is gone
	 */
	public static void write(HttpServletResponse response, int status, String title, String detail) throws IOException {
		String json = json(status, title, detail, Map.of());
		response.setStatus(status);
		response.setContentType(CONTENT_TYPE);
		response.setCharacterEncoding("UTF-8");
		// Its length, so that a client reads the whole answer even when the connection
		// closes right after it.
		response.setContentLength(json.getBytes(StandardCharsets.UTF_8).length);
		response.getWriter().write(json);
	}

}
