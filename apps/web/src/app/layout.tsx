import type { Metadata } from 'next';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getMessages } from 'next-intl/server';
import type { ReactNode } from 'react';
import { GraphQLProvider, type WsEndpoint } from '@/lib/urql';
import './globals.css';

export const metadata: Metadata = {
  title: 'Kubegrade',
  description: 'Grading for the Kubernetes storage and StatefulSet labs',
};

/** The api's WebSocket endpoint, read at request time so one build runs anywhere. */
function wsEndpoint(): WsEndpoint {
  return {
    url: process.env.API_WS_URL ?? process.env.NEXT_PUBLIC_API_WS_URL ?? null,
    port: process.env.API_PUBLIC_PORT ?? process.env.API_PORT ?? '4000',
  };
}

/** The document shell: language, messages and the GraphQL client for every page. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  const messages = await getMessages();
  return (
    <html lang={locale}>
      <body className="min-h-screen bg-slate-50 font-sans text-base text-slate-900 antialiased">
        <NextIntlClientProvider locale={locale} messages={messages}>
          <GraphQLProvider endpoint={wsEndpoint()}>{children}</GraphQLProvider>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
