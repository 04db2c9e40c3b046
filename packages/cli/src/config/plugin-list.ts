import { z } from 'zod';

/** What may be known of a config before plugins load: the packages to load. Other keys pass unchecked. */
export const pluginListSchema = z.looseObject({
  plugins: z.array(z.string().min(1)).default([]),
});
