package com.ecommerce.eventhub.email;

import java.util.regex.Pattern;

/**
 * Keeps e-mail addresses out of logs and error texts: {@code buyer@example.com} becomes
 * {@code b***@example.com}.
 */
final class Addresses {

	private static final Pattern ADDRESS = Pattern.compile("([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)");

	private Addresses() {
	}

	static String mask(String text) {
		return (text != null) ? ADDRESS.matcher(text).replaceAll("$1***@$2") : null;
	}

}
