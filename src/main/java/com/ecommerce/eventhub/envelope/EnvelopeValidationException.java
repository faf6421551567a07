package com.ecommerce.eventhub.envelope;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An envelope that is invalid: a schema violation, an unknown event type or an
 * unsupported major version. Retrying cannot fix it, so it is dead-lettered at once. Its
 * class name is the {@code x-exception-class} of such dead letters.
 */
public class EnvelopeValidationException extends PermanentFailureException {

	public EnvelopeValidationException(String message) {
		super(message);
	}

	/**
	 * @param violations what is wrong, each with its JSON pointer
	 * @return an exception listing every violation
	 */
	public static EnvelopeValidationException of(List<Violation> violations) {
		return new EnvelopeValidationException(
				"invalid envelope: " + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
	}

}
