package com.ecommerce.eventhub.console;

import java.util.Map;

import com.ecommerce.eventhub.web.ApiKeyAuthenticationFilter;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * A console page that fails unexpectedly answers with the console's own error page (500),
 * not a stack trace or Spring's default page; the cause is logged.
 */
@ControllerAdvice(basePackageClasses = ConsoleErrors.class)
class ConsoleErrors {

	private static final Logger log = LoggerFactory.getLogger(ConsoleErrors.class);

	private final ConsolePages pages;

	ConsoleErrors(ConsolePages pages) {
		this.pages = pages;
	}

	@ExceptionHandler(RuntimeException.class)
	ResponseEntity<String> failed(HttpServletRequest request, RuntimeException failure) {
		log.error("Console page {} failed", ApiKeyAuthenticationFilter.routedPath(request), failure);
		Object session = request.getAttribute(ConsoleSession.ATTRIBUTE);
		if (session instanceof ConsoleSession current) {
			return this.pages.error(500, current, "The hub could not show this page: "
					+ failure.getClass().getSimpleName() + ". The hub's log has the details.", "/console");
		}
		return this.pages.signIn(500, Map.of("message", "The hub could not show this page."));
	}

}
