package com.ecommerce.eventhub.consumers;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.support.converter.MessageConversionException;
import org.springframework.amqp.support.converter.MessageConverter;
import org.springframework.stereotype.Component;

/**
 * The consumer routes' message converter: a message's body as it came, its bytes. The hub
 * reads every body as JSON in UTF-8 ({@link MessageGuard}), whatever the message's
 * properties claim. Camel's default converter decoded a {@code text/*} body with the
 * message's {@code content_encoding}: an encoding no one knows failed before the route,
 * where nothing acks or rejects a message, so it held a prefetch slot until the channel
 * closed (with an ordered route's prefetch of 1, its whole partition).
 */
@Component(RawMessageBody.BEAN)
class RawMessageBody implements MessageConverter {

	static final String BEAN = "consumerRawMessageBody";

	@Override
	public Object fromMessage(Message message) {
		byte[] body = message.getBody();
		return (body != null) ? body : new byte[0];
	}

	@Override
	public Message toMessage(Object object, MessageProperties properties) {
		throw new MessageConversionException("consumer routes do not send");
	}

}
