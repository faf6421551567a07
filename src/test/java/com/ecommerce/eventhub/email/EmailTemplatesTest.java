package com.ecommerce.eventhub.email;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.PermanentFailureException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmailTemplatesTest {

	private final EmailTemplates templates = new EmailTemplates();

	@Test
	void everyTemplateTypeRendersSubjectHtmlAndText() {
		for (String type : EmailTemplates.TYPES) {
			RenderedMail mail = this.templates.render(type, data());
			assertThat(mail.subject()).as(type).contains("ORD-1");
			assertThat(mail.html()).as(type).contains("ORD-1").startsWith("<!DOCTYPE html>");
			assertThat(mail.text()).as(type).contains("ORD-1").doesNotContain("<");
		}
	}

	@Test
	void valuesAreHtmlEscapedInTheHtmlPart() {
		ObjectNode data = data();
		data.put("customerName", "<script>alert(1)</script> & Co");
		RenderedMail mail = this.templates.render("order_confirmation", data);

		assertThat(mail.html()).contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co").doesNotContain("<script>");
		assertThat(mail.text()).contains("<script>alert(1)</script> & Co");
	}

	@Test
	void aLineBreakInAValueCannotAddAHeaderThroughTheSubject() {
		ObjectNode data = data();
		data.put("orderNumber", "ORD-1\r\nBcc: victim@evil.example");
		RenderedMail mail = this.templates.render("order_shipped", data);

		assertThat(mail.subject()).doesNotContain("\r").doesNotContain("\n");
	}

	@Test
	void anUnknownTemplateTypeIsAPermanentFailure() {
		assertThatThrownBy(() -> this.templates.render("newsletter", data()))
			.isInstanceOf(PermanentFailureException.class);
	}

	@Test
	void theRecipientMustBeOnePlainAddress() {
		assertThat(EmailRequestHandler.validRecipient("buyer@example.com")).isEqualTo("buyer@example.com");
		for (String bad : new String[] { "buyer@example.com\r\nBcc: x@evil.example", "a@example.com, b@example.com",
				"a@example.com;b@example.com", "Buyer <buyer@example.com>", "not an address", "" }) {
			assertThatThrownBy(() -> EmailRequestHandler.validRecipient(bad)).as(bad)
				.isInstanceOf(PermanentFailureException.class);
		}
	}

	private static ObjectNode data() {
		ObjectNode data = EnvelopeJson.mapper().createObjectNode();
		data.put("orderNumber", "ORD-1");
		data.put("total", "$ 1.00");
		data.putArray("items").addObject().put("name", "Widget").put("sku", "W-1").put("quantity", 1);
		return data;
	}

}
