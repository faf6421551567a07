package com.ecommerce.eventhub.console;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A posted HTML form ({@code application/x-www-form-urlencoded}), parsed by the hub
 * itself: Tomcat is told to parse no form body ({@code max-http-form-post-size: 0}), and
 * the body has already been bounded by {@code web.RequestLimitsFilter}.
 */
final class FormBody {

	/** Most fields one form may have: a selection of every listed dead letter fits. */
	static final int MAX_FIELDS = 20_000;

	private final Map<String, List<String>> fields;

	private FormBody(Map<String, List<String>> fields) {
		this.fields = fields;
	}

	/** A form without fields. */
	static FormBody empty() {
		return new FormBody(Map.of());
	}

	/**
	 * @param body the body's bytes
	 * @return the form
	 * @throws IllegalArgumentException when it is not a well-formed form
	 */
	static FormBody parse(byte[] body) {
		Map<String, List<String>> fields = new LinkedHashMap<>();
		String text = new String(body, StandardCharsets.US_ASCII);
		if (text.isEmpty()) {
			return new FormBody(fields);
		}
		int count = 0;
		for (String pair : text.split("&", -1)) {
			if (pair.isEmpty()) {
				continue;
			}
			if (++count > MAX_FIELDS) {
				throw new IllegalArgumentException("too many form fields");
			}
			int equals = pair.indexOf('=');
			String name = decode((equals < 0) ? pair : pair.substring(0, equals));
			String value = (equals < 0) ? "" : decode(pair.substring(equals + 1));
			fields.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
		}
		return new FormBody(fields);
	}

	private static String decode(String text) {
		return URLDecoder.decode(text, StandardCharsets.UTF_8);
	}

	/**
	 * @param name a field's name
	 * @return its first value, trimmed; null when absent or blank
	 */
	String get(String name) {
		List<String> values = this.fields.get(name);
		if (values == null || values.isEmpty() || values.get(0).isBlank()) {
			return null;
		}
		return values.get(0).trim();
	}

	/**
	 * @param name a field's name
	 * @return every non-blank value it was given, in order
	 */
	List<String> all(String name) {
		return this.fields.getOrDefault(name, List.of()).stream().filter(value -> !value.isBlank()).toList();
	}

	/**
	 * @param name a checkbox's name
	 * @return whether it was ticked
	 */
	boolean checked(String name) {
		String value = get(name);
		return value != null && !value.equals("false");
	}

}
