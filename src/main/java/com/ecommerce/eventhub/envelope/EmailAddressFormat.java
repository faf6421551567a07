package com.ecommerce.eventhub.envelope;

import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Format;

/**
 * The JSON Schema {@code format: email} check, in one pass over at most 254 characters.
 *
 * <p>
 * The validator's own check (a port of Commons Validator's regular expressions)
 * backtracks: a value of 32,000 {@code @} took 13 s of CPU, growing with the square of
 * the length, and it runs even when {@code maxLength} already failed. This one looks at
 * no more than {@link #MAX_LENGTH} characters and accepts the RFC 5321 mailboxes events
 * carry: a dot-atom local part of at most 64 ASCII characters, {@code @}, and a host name
 * of letters, digits and hyphens (labels of at most 63). Quoted local parts and address
 * literals are refused.
 */
final class EmailAddressFormat implements Format {

	/** RFC 5321: a forward path holds at most 256 octets, so an address at most 254. */
	static final int MAX_LENGTH = 254;

	private static final int MAX_LOCAL_LENGTH = 64;

	private static final int MAX_LABEL_LENGTH = 63;

	private static final String ATEXT_SYMBOLS = "!#$%&'*+/=?^_`{|}~-";

	@Override
	public String getName() {
		return "email";
	}

	@Override
	public String getMessageKey() {
		return "format.email";
	}

	@Override
	public boolean matches(ExecutionContext executionContext, String value) {
		return isValid(value);
	}

	/**
	 * @param value a candidate address
	 * @return whether it is a plain {@code local@host} mailbox
	 */
	static boolean isValid(String value) {
		if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
			return false;
		}
		int at = value.lastIndexOf('@');
		return at > 0 && at <= MAX_LOCAL_LENGTH && isDotAtom(value, 0, at) && isHostName(value, at + 1, value.length());
	}

	private static boolean isDotAtom(String value, int from, int to) {
		boolean previousDot = true; // no leading dot
		for (int i = from; i < to; i++) {
			char c = value.charAt(i);
			if (c == '.') {
				if (previousDot) {
					return false;
				}
				previousDot = true;
			}
			else if (isAlphaNumeric(c) || ATEXT_SYMBOLS.indexOf(c) >= 0) {
				previousDot = false;
			}
			else {
				return false;
			}
		}
		return !previousDot; // no trailing dot
	}

	private static boolean isHostName(String value, int from, int to) {
		if (from >= to) {
			return false;
		}
		int labelStart = from;
		for (int i = from; i <= to; i++) {
			if (i == to || value.charAt(i) == '.') {
				int length = i - labelStart;
				if (length == 0 || length > MAX_LABEL_LENGTH || value.charAt(labelStart) == '-'
						|| value.charAt(i - 1) == '-') {
					return false;
				}
				labelStart = i + 1;
			}
			else if (!isAlphaNumeric(value.charAt(i)) && value.charAt(i) != '-') {
				return false;
			}
		}
		return true;
	}

	private static boolean isAlphaNumeric(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	}

}
