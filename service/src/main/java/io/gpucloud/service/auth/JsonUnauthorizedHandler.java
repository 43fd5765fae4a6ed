package io.gpucloud.service.auth;

import io.dropwizard.auth.UnauthorizedHandler;
import io.gpucloud.service.errors.ErrorBody;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** 401 {"code":401,"message":"missing or invalid API key"} with a Bearer challenge. */
public class JsonUnauthorizedHandler implements UnauthorizedHandler {
  public static final String MESSAGE = "missing or invalid API key";

  @Override
  public Response buildResponse(String prefix, String realm) {
    return Response.fromResponse(ErrorBody.response(401, MESSAGE))
        .header(HttpHeaders.WWW_AUTHENTICATE, prefix + " realm=\"" + realm + "\"")
        .build();
  }
}
