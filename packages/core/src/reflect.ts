// tsyringe needs the Reflect metadata polyfill loaded once, before any container is used.
import 'reflect-metadata';
