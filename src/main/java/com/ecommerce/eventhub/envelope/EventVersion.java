package com.ecommerce.eventhub.envelope;

/**
 * A {@code major.minor} event version: a major change breaks consumers, a minor one only
 * adds.
 *
 * @param major the breaking part
 * @param minor the additive part
 */
public record EventVersion(int major, int minor) {

	/**
	 * Digits of a major or minor at most: {@code 0} or 1 to 9999 without leading zeros.
	 */
	private static final int MAX_DIGITS = 4;

	/**
	 * Parses {@code "1.0"}-style versions.
	 * @param text the version as written in the envelope
	 * @return the parsed version
	 * @throws IllegalArgumentException when the text is not {@code major.minor}
	 */
	public static EventVersion parse(String text) {
		EventVersion version = parseOrNull(text);
		if (version == null) {
			throw new IllegalArgumentException("eventVersion must be 'major.minor', got '" + text + "'");
		}
		return version;
	}

	/**
	 * Parses a version that may be ill-formed, for callers that check and use it at once.
	 * @param text the candidate, may be null
	 * @return the version, null when the text is not {@code major.minor}
	 */
	public static EventVersion parseOrNull(String text) {
		int dot = (text != null) ? text.indexOf('.') : -1;
		int major = (dot > 0) ? number(text, 0, dot) : -1;
		int minor = (major >= 0) ? number(text, dot + 1, text.length()) : -1;
		return (minor >= 0) ? new EventVersion(major, minor) : null;
	}

	/**
	 * Whether the text is a well-formed version.
	 * @param text the candidate
	 * @return true for {@code major.minor}
	 */
	public static boolean isValid(String text) {
		return parseOrNull(text) != null;
	}

	/**
	 * Reads {@code 0} or a number without leading zeros of at most {@link #MAX_DIGITS}
	 * digits; by hand, not with a regular expression: it runs for every event the relay
	 * and the consumers validate.
	 * @return the number, -1 when the text between the indexes is not one
	 */
	private static int number(String text, int from, int to) {
		int length = to - from;
		if (length < 1 || length > MAX_DIGITS || (length > 1 && text.charAt(from) == '0')) {
			return -1;
		}
		int value = 0;
		for (int i = from; i < to; i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			value = value * 10 + (c - '0');
		}
		return value;
	}

	@Override
	public String toString() {
		return this.major + "." + this.minor;
	}

}
