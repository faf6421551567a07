package com.ecommerce.eventhub.envelope;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code major.minor} event version: a major change breaks consumers, a minor one only
 * adds.
 *
 * @param major the breaking part
 * @param minor the additive part
 */
public record EventVersion(int major, int minor) {

	private static final Pattern FORMAT = Pattern.compile("(0|[1-9]\\d{0,3})\\.(0|[1-9]\\d{0,3})");

	/**
	 * Parses {@code "1.0"}-style versions.
	 * @param text the version as written in the envelope
	 * @return the parsed version
	 * @throws IllegalArgumentException when the text is not {@code major.minor}
	 */
	public static EventVersion parse(String text) {
		Matcher matcher = (text != null) ? FORMAT.matcher(text) : null;
		if (matcher == null || !matcher.matches()) {
			throw new IllegalArgumentException("eventVersion must be 'major.minor', got '" + text + "'");
		}
		return new EventVersion(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
	}

	/**
	 * Whether the text is a well-formed version.
	 * @param text the candidate
	 * @return true for {@code major.minor}
	 */
	public static boolean isValid(String text) {
		return text != null && FORMAT.matcher(text).matches();
	}

	@Override
	public String toString() {
		return this.major + "." + this.minor;
	}

}
