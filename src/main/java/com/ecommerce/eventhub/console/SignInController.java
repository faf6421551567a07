package com.ecommerce.eventhub.console;

import java.util.Map;
import java.util.Optional;

import com.ecommerce.eventhub.audit.OperatorAction;
import com.ecommerce.eventhub.audit.OperatorAudit;
import com.ecommerce.eventhub.config.SecurityProperties.ApiKey;
import com.ecommerce.eventhub.web.ApiKeys;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * Signing in and out. The admin API key is typed into a password field and posted once;
 * the hub answers with a session cookie and never puts the key into a URL, a cookie, a
 * page or a log line.
 */
@Controller
class SignInController {

	private static final Logger log = LoggerFactory.getLogger(SignInController.class);

	private final ConsolePages pages;

	private final ConsoleSessions sessions;

	private final ConsoleCookies cookies;

	private final SignInThrottle throttle;

	private final ApiKeys keys;

	private final OperatorAudit audit;

	SignInController(ConsolePages pages, ConsoleSessions sessions, ConsoleCookies cookies, SignInThrottle throttle,
			ApiKeys keys, OperatorAudit audit) {
		this.audit = audit;
		this.pages = pages;
		this.sessions = sessions;
		this.cookies = cookies;
		this.throttle = throttle;
		this.keys = keys;
	}

	@GetMapping(ConsoleSessionFilter.SIGN_IN_PATH)
	ResponseEntity<String> form(HttpServletRequest request, HttpServletResponse response) {
		return signInPage(request, response, 200, null);
	}

	@PostMapping(ConsoleSessionFilter.SIGN_IN_PATH)
	ResponseEntity<String> signIn(HttpServletRequest request, HttpServletResponse response) {
		String client = request.getRemoteAddr();
		if (!this.throttle.allows(client)) {
			log.warn("Console sign-in from {} refused: too many failed sign-ins", client);
			return signInPage(request, response, 429,
					"Too many failed sign-ins from this address: wait a few minutes.");
		}
		FormBody form = ConsoleRequests.form(request);
		Optional<ApiKey> key = this.keys.authenticate(form.get("apiKey")).filter(ApiKey::admin);
		if (key.isEmpty()) {
			this.throttle.failed(client);
			log.warn("Console sign-in from {} refused: not an admin API key", client);
			return signInPage(request, response, 401, "Sign-in refused: that is not an admin API key.");
		}
		this.throttle.succeeded(client);
		// Who opened a console session, and from where, is part of the audit trail.
		long action = this.audit.begin(key.get().name(), "console", "console.sign-in", null, Map.of("client", client));
		String token = this.sessions.create(key.get().name());
		this.audit.finish(action, null, OperatorAction.OK);
		this.cookies.session(request, response, token);
		this.cookies.clear(request, response, ConsoleCookies.SIGN_IN);
		log.info("Console sign-in of {} from {}", key.get().name(), client);
		return ResponseEntity.status(303).header("Location", "/console").build();
	}

	@PostMapping("/console/sign-out")
	ResponseEntity<String> signOut(HttpServletRequest request, HttpServletResponse response) {
		ConsoleSession session = ConsoleRequests.session(request);
		long action = this.audit.begin(session.keyName(), "console", "console.sign-out", null, null);
		this.sessions.end(ConsoleCookies.read(request, ConsoleCookies.SESSION));
		this.audit.finish(action, null, OperatorAction.OK);
		this.cookies.clear(request, response, ConsoleCookies.SESSION);
		log.info("Console sign-out of {}", session.keyName());
		return ResponseEntity.status(303).header("Location", ConsoleSessionFilter.SIGN_IN_PATH).build();
	}

	/** The form, with a fresh CSRF token in it and in its cookie. */
	private ResponseEntity<String> signInPage(HttpServletRequest request, HttpServletResponse response, int status,
			String message) {
		String token = this.sessions.randomToken();
		this.cookies.signIn(request, response, token);
		return this.pages.signIn(status,
				(message != null) ? Map.of("csrf", token, "message", message) : Map.of("csrf", token));
	}

}
