import { readFileSync } from 'node:fs';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';

const asset = (name: string) => readFileSync(new URL(`./public/${name}`, import.meta.url));

/** The page may only load its own script and style and talk to this origin. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The dashboard page: three static files, read once at start. No key is needed to load them; the
 * page asks for one and sends it with each API call (kept in sessionStorage).
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardPageController {
  private readonly files = {
    html: asset('index.html'),
    js: asset('app.js'),
    css: asset('app.css'),
  };

  private send(reply: FastifyReply, body: Buffer, type: string): void {
    void reply
      .header('Content-Type', type)
      .header('Content-Security-Policy', CSP)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer')
      .header('Cache-Control', 'no-cache')
      .send(body);
  }

  @Get()
  page(@Res() reply: FastifyReply): void {
    this.send(reply, this.files.html, 'text/html; charset=utf-8');
  }

  @Get('app.js')
  script(@Res() reply: FastifyReply): void {
    this.send(reply, this.files.js, 'text/javascript; charset=utf-8');
  }

  @Get('app.css')
  style(@Res() reply: FastifyReply): void {
    this.send(reply, this.files.css, 'text/css; charset=utf-8');
  }
}
