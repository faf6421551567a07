package com.ecommerce.eventhub.replay;

import com.ecommerce.eventhub.config.OpsProperties;
import com.ecommerce.eventhub.web.RequestBodyAllowance;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code POST /api/v1/replays} takes a small JSON body, up to
 * {@code hub.ops.max-body-size}.
 */
@Configuration(proxyBeanMethods = false)
class ReplayWebConfiguration {

	@Bean
	RequestBodyAllowance replayBody(OpsProperties ops) {
		return new RequestBodyAllowance("POST", "/api/v1/replays", false, ops.maxBodySize().toBytes());
	}

}
