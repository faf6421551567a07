package com.ecommerce.eventhub.console;

/**
 * A signed-in browser.
 *
 * @param keyName the name of the admin API key it signed in with: who does what it does
 * @param csrfToken the token every form of this session carries
 */
record ConsoleSession(String keyName, String csrfToken) {

	/** The request attribute holding the current session. */
	static final String ATTRIBUTE = ConsoleSession.class.getName();

}
