package com.ecommerce.eventhub.topology;

import java.math.BigDecimal;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.LongString;

/**
 * Header values as AMQP can carry them. A message's headers pass through Camel and Spring
 * on their way to a dead letter, and a value of another type would make the client fail
 * while it encodes the frame, after it counted the publish for confirms: such a value
 * travels as its text instead.
 */
public final class AmqpHeaders {

	private AmqpHeaders() {
	}

	/**
	 * @param headers header values of any type
	 * @return the same headers, every value one the AMQP client encodes
	 */
	public static Map<String, Object> of(Map<String, ?> headers) {
		Map<String, Object> encodable = new HashMap<>();
		headers.forEach((name, value) -> {
			if (name != null && value != null) {
				encodable.put(name, encodable(value, 0));
			}
		});
		return encodable;
	}

	private static Object encodable(Object value, int depth) {
		if (value instanceof String || value instanceof Integer || value instanceof Long || value instanceof Short
				|| value instanceof Byte || value instanceof Boolean || value instanceof Double
				|| value instanceof Float || value instanceof BigDecimal || value instanceof Date
				|| value instanceof byte[] || value instanceof LongString) {
			return value;
		}
		if (depth < 8 && value instanceof List<?> list) {
			return list.stream().filter(item -> item != null).map(item -> encodable(item, depth + 1)).toList();
		}
		if (depth < 8 && value instanceof Map<?, ?> map) {
			Map<String, Object> nested = new HashMap<>();
			map.forEach((key, item) -> {
				if (key != null && item != null) {
					nested.put(key.toString(), encodable(item, depth + 1));
				}
			});
			return nested;
		}
		return value.toString();
	}

}
