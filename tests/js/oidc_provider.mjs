// A real authorization server for tests/test_e2e_oauth.py: panva's oidc-provider (OpenID Certified), on loopback.
// Usage: node oidc_provider.mjs PORT RESOURCE REDIRECT_URI
// Resource indicators (RFC 8707) make access tokens JWTs for RESOURCE, with the person's Huawei user ID
// (their login name) in the huawei_user_id claim. PKCE is required; the one client is public and pre-registered.
// devInteractions is the library's development login and consent forms: any login name signs in. For tests only.
import Provider, { errors } from 'oidc-provider';

const [port, resource, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const SCOPES = 'meetings:read meetings:admin';

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'huawei-meeting-test-client',
      token_endpoint_auth_method: 'none',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  scopes: ['openid', 'offline_access', 'meetings:read', 'meetings:admin'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return { scope: SCOPES, audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 600 };
      },
    },
  },
  extraTokenClaims: async (_ctx, token) => (token.kind === 'AccessToken' ? { huawei_user_id: token.accountId } : {}),
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
