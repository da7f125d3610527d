import express, { Router } from 'express';
import { buildOpenApiDocument } from './openapi';

// Only the path helper: the package's index would load the whole browser bundle into Node.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS file without types
const swaggerUiDir: () => string = require('swagger-ui-dist/absolute-path.js');

function docsPage(prefix: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Org Management API</title>
  <link rel="stylesheet" href="${prefix}/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="${prefix}/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${prefix}/docs/swagger-ui-bundle.js"></script>
  <script src="${prefix}/docs/initializer.js"></script>
</body>
</html>`;
}

function initializer(prefix: string): string {
  return `window.ui = SwaggerUIBundle({ url: '${prefix}/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true });\n`;
}

/** `<prefix>/openapi.json` and the Swagger UI page `<prefix>/docs`, its assets served from swagger-ui-dist (no CDN). */
export function docsRouter(prefix: string): Router {
  const document = buildOpenApiDocument(undefined, prefix);
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => void res.json(document));
  router.get(['/docs', '/docs/'], (_req, res) => void res.type('html').send(docsPage(prefix)));
  router.get('/docs/initializer.js', (_req, res) => void res.type('js').send(initializer(prefix)));
  router.use('/docs', express.static(swaggerUiDir(), { index: false, maxAge: '1h' }));
  return router;
}
