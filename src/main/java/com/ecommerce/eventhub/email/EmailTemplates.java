package com.ecommerce.eventhub.email;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.PermanentFailureException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;

import org.springframework.stereotype.Component;

/**
 * The e-mail templates, one set per template type under {@code templates/<templateType>/}
 * ({@code subject.mustache}, {@code body.html.mustache}, {@code body.txt.mustache}),
 * compiled once. The HTML part escapes every value; the subject and text parts do not,
 * and the subject loses every control character (line breaks included) so no value can
 * add a mail header.
 */
@Component
class EmailTemplates {

	static final List<String> TYPES = List.of("order_confirmation", "order_cancellation", "order_shipped");

	private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
	};

	private final Map<String, Template[]> templates = new HashMap<>();

	EmailTemplates() {
		Mustache.Compiler html = Mustache.compiler().escapeHTML(true).defaultValue("");
		Mustache.Compiler text = Mustache.compiler().escapeHTML(false).defaultValue("");
		for (String type : TYPES) {
			this.templates.put(type, new Template[] { compile(text, type, "subject.mustache"),
					compile(html, type, "body.html.mustache"), compile(text, type, "body.txt.mustache") });
		}
	}

	/**
	 * @param templateType e.g. {@code order_confirmation}
	 * @param data the request's data
	 * @return the rendered mail
	 * @throws PermanentFailureException for a template type without templates
	 */
	RenderedMail render(String templateType, JsonNode data) {
		Template[] set = this.templates.get(templateType);
		if (set == null) {
			throw new PermanentFailureException("no e-mail template for templateType '" + templateType + "'");
		}
		Map<String, Object> values = EnvelopeJson.mapper().convertValue(data, MAP);
		String subject = set[0].execute(values).replaceAll("\\p{Cntrl}+", " ").trim();
		return new RenderedMail(subject, set[1].execute(values), set[2].execute(values));
	}

	private static Template compile(Mustache.Compiler compiler, String type, String file) {
		String path = "templates/" + type + "/" + file;
		try (InputStream in = EmailTemplates.class.getClassLoader().getResourceAsStream(path)) {
			if (in == null) {
				throw new IllegalStateException("Missing e-mail template " + path);
			}
			try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
				return compiler.compile(reader);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read e-mail template " + path, ex);
		}
	}

}
