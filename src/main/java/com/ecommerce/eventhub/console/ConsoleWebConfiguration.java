package com.ecommerce.eventhub.console;

import com.ecommerce.eventhub.config.ConsoleProperties;
import com.ecommerce.eventhub.web.RequestBodyAllowance;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The console's forms are the only HTML forms the hub takes: posted to
 * {@code /console/...} as {@code application/x-www-form-urlencoded}, each body up to
 * {@code hub.console.max-body-size} (a selection of dead letters is the largest). The
 * sign-in form is the one body a caller posts before it has authenticated: it is small
 * and read under the anonymous budget.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleWebConfiguration {

	/** The sign-in form: an API key and the form's CSRF token. */
	static final long SIGN_IN_MAX_BYTES = 8 * 1024;

	@Bean
	RequestBodyAllowance consoleForms(ConsoleProperties console) {
		return new RequestBodyAllowance("POST", "/console/", true, console.maxBodySize().toBytes(), true);
	}

	@Bean
	RequestBodyAllowance consoleSignIn() {
		return new RequestBodyAllowance("POST", ConsoleSessionFilter.SIGN_IN_PATH, false, SIGN_IN_MAX_BYTES, true,
				true);
	}

}
